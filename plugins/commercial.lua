-- The customer account's own sales results: what a new customer costs it
-- (CAC), what a customer is worth over its lifetime (LTV), how many qualified
-- prospects it converts, and how many leads its customers refer.
casebook.api(1)

-- Per period (e.g. per month): one observation each.
casebook.measure { key = "sales.spend", unit = "money", min = 0,
  doc = "Sales spend in a period (salaries, commissions, travel, tools)" }
casebook.measure { key = "marketing.spend", unit = "money", min = 0,
  doc = "Marketing spend in a period (campaigns, events, content, agencies)" }
casebook.measure { key = "sales.new_customers", unit = "customers", min = 0, integer = true,
  doc = "New paying customers won in a period" }
casebook.measure { key = "sales.active_customers", unit = "customers", min = 0, integer = true,
  doc = "Active (paying) customers in a period" }
casebook.measure { key = "marketing.referral_leads", unit = "leads", min = 0, integer = true,
  doc = "Leads referred by existing customers in a period" }

-- Per customer or prospect.
casebook.measure { key = "revenue.customer_month", unit = "money",
  doc = "Revenue from one customer in one month; one observation per active customer per month" }
casebook.measure { key = "sales.customer_lifetime_months", unit = "months", min = 0,
  doc = "One per customer lost: months from its first to its last paying month" }
casebook.measure { key = "sales.prospect_converted", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per qualified prospect whose outcome was decided: 1 when it became a paying customer" }

local MIN_EVENTS = 1 -- a mean or share needs at least one customer or prospect

casebook.kpi {
  key = "cac", name = "Customer acquisition cost", unit = "money", better = "lower",
  min = 0, inputs = { "sales.spend", "marketing.spend", "sales.new_customers" },
  doc = "(Sales spend + marketing spend) / new customers",
  compute = function(w)
    local new = w["sales.new_customers"]:sum()
    if new == 0 then return nil, "no new customers" end
    return (w["sales.spend"]:sum() + w["marketing.spend"]:sum()) / new
  end,
}

-- Lifetime is taken from customers actually lost (observed lifetimes);
-- the monthly revenue from every active customer-month.
casebook.kpi {
  key = "ltv", name = "Customer lifetime value", unit = "money", better = "higher",
  inputs = { "sales.customer_lifetime_months", "revenue.customer_month" },
  doc = "Mean customer lifetime (months) × mean monthly revenue per customer",
  compute = function(w)
    local lifetime, revenue = w["sales.customer_lifetime_months"], w["revenue.customer_month"]
    if #lifetime < MIN_EVENTS then return nil, "no customer lifetime recorded" end
    if #revenue < MIN_EVENTS then return nil, "no monthly revenue recorded" end
    return lifetime:mean() * revenue:mean()
  end,
}

casebook.kpi {
  key = "conversion_rate", name = "Conversion rate", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "sales.prospect_converted" },
  doc = "Qualified prospects who became paying customers / qualified prospects × 100",
  compute = function(w)
    local s = w["sales.prospect_converted"]
    if #s < MIN_EVENTS then return nil, "no qualified prospect decided" end
    return 100 * s:mean()
  end,
}

-- Several periods pool: leads per 100 active customer-periods.
casebook.kpi {
  key = "referral_rate", name = "Referral rate", unit = "%", better = "higher",
  min = 0, inputs = { "marketing.referral_leads", "sales.active_customers" },
  doc = "Leads referred by existing customers / active customers × 100",
  compute = function(w)
    local active = w["sales.active_customers"]:sum()
    if active == 0 then return nil, "no active customers" end
    return 100 * w["marketing.referral_leads"]:sum() / active
  end,
}
