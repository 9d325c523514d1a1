"""Customers as the bot first meets them."""

from __future__ import annotations

from domain.customers import Customer
from domain.ids import UserId
from domain.ports import UnitOfWorkFactory


class CustomerService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory

    async def register_customer(self, customer_id: UserId, name: str) -> Customer:
        """Records a customer the first time they write; keeps a known phone number."""
        async with self._uow() as uow:
            customer = await uow.customers.get(customer_id)
            if customer is None or customer.name != name:
                phone = customer.phone if customer else None
                customer = Customer(customer_id, name, phone)
                await uow.customers.save(customer)
                await uow.commit()
            return customer
