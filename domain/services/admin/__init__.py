"""The admin console's use cases (issue #6), one small service per area.

catalogue.CatalogueAdmin   restaurants, dishes, photos, CSV menu imports, the audit log
partners.PartnerAdmin      the partner list, approving, revoking, invite codes
orders.OrderAdmin          the latest orders, one order's detail, cancelling, the
                           dead-lettered tasks and retrying them
stats.StatsAdmin           today and the last 7 days
options.OptionAdmin        dishes' option groups (/setgroup ...) and the menu file export

ports holds what storage implements for them; every change records an audit entry in its
own unit of work (common.record).
"""
