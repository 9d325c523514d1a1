"""Customers as the bot first meets them."""

from __future__ import annotations

from dataclasses import replace

from domain.customers import Customer
from domain.ids import UserId
from domain.ports import UnitOfWorkFactory
from domain.restaurants import check_time_zone


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

    async def set_time_zone(self, customer: Customer, zone: str | None) -> Customer:
        """The customer's own time zone (an IANA name, checked; None: none), in which their
        screens show times beside the restaurant's."""
        if zone is not None:
            zone = check_time_zone(zone)
        async with self._uow() as uow:
            await uow.customers.set_time_zone(customer, zone)
            await uow.commit()
        return replace(customer, time_zone=zone)

    async def get(self, customer_id: UserId) -> Customer | None:
        async with self._uow() as uow:
            return await uow.customers.get(customer_id)
