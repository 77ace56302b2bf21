-- Keeping customers: churn and retention of the customers (or sites) under
-- an account, renewal of expiring maintenance contracts, adoption of new
-- products (bought and used), and contacts deflected to self-service.
casebook.api(1)

-- Customer counts: one observation per period (e.g. per month), so a window
-- of several periods pools them (lost customers / customers at risk).
casebook.measure { key = "customer.at_start", unit = "customers", min = 0, integer = true,
  doc = "Customers (or sites) active at the start of a period; one observation per period" }
casebook.measure { key = "customer.at_end", unit = "customers", min = 0, integer = true,
  doc = "Customers (or sites) active at the end of the period, new ones included" }
casebook.measure { key = "customer.new", unit = "customers", min = 0, integer = true,
  doc = "Customers (or sites) won during the period" }
casebook.measure { key = "customer.lost", unit = "customers", min = 0, integer = true,
  doc = "Customers (or sites) active at the start of the period that left during it" }

-- Events: one 0/1 flag per contract, offer or contact.
casebook.measure { key = "contract.renewed", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per maintenance contract expiring: 1 when it was renewed, 0 when not" }
casebook.measure { key = "product.bought", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per offer of a new product to a customer or site: 1 when it was bought" }
casebook.measure { key = "product.used", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per new product bought, dated like its offer: 1 when the customer actually uses it after a settling-in period" }
casebook.measure { key = "contact.self_service", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per customer contact (call, mail, portal request): 1 when resolved through self-service, without an agent or technician" }

local MIN_EVENTS = 1 -- a share needs at least one contract, offer or contact

-- Percent of a 0/1 flag series that is 1, or nil with a reason when empty.
local function percent_of_flags(s, what)
  if #s < MIN_EVENTS then return nil, ("no %s in the window"):format(what) end
  return 100 * s:mean()
end

casebook.kpi {
  key = "customer_churn_rate", name = "Customer churn rate", unit = "%", better = "lower",
  min = 0, max = 100, inputs = { "customer.at_start", "customer.lost" },
  doc = "Customers lost in the period / customers at its start × 100",
  compute = function(w)
    local at_start, lost = w["customer.at_start"]:sum(), w["customer.lost"]:sum()
    if at_start == 0 then return nil, "no customers at the start of the period" end
    if lost > at_start then return nil, "more customers lost than there were at the start" end
    return 100 * lost / at_start
  end,
}

-- The usual retention formula, (E - N) / S: customers at the end who were
-- not won during the period, over customers at the start.
casebook.kpi {
  key = "customer_retention_rate", name = "Customer retention rate", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "customer.at_start", "customer.at_end", "customer.new" },
  doc = "(Customers at the end - new customers) / customers at the start × 100",
  compute = function(w)
    local at_start = w["customer.at_start"]:sum()
    if at_start == 0 then return nil, "no customers at the start of the period" end
    local kept = w["customer.at_end"]:sum() - w["customer.new"]:sum()
    if kept < 0 or kept > at_start then
      return nil, ("counts disagree: %g kept of %g at the start"):format(kept, at_start)
    end
    return 100 * kept / at_start
  end,
}

casebook.kpi {
  key = "contract_renewal_rate", name = "Contract renewal rate", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "contract.renewed" },
  doc = "Expiring maintenance contracts renewed / contracts expiring × 100",
  compute = function(w) return percent_of_flags(w["contract.renewed"], "expiring contracts") end,
}

-- Adoption counts a new product only when it was bought AND is used:
-- products in use / products offered.
casebook.kpi {
  key = "product_adoption_rate", name = "Product adoption rate", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "product.bought", "product.used" },
  doc = "New products bought and in use / new products offered × 100",
  compute = function(w)
    local offers, used = w["product.bought"], w["product.used"]:sum()
    if #offers < MIN_EVENTS then return nil, "no new product offered in the window" end
    if used > offers:sum() then return nil, "more products in use than bought" end
    return 100 * used / #offers
  end,
}

casebook.kpi {
  key = "contact_deflection_rate", name = "Contact deflection rate", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "contact.self_service" },
  doc = "Contacts resolved through self-service / all customer contacts × 100",
  compute = function(w) return percent_of_flags(w["contact.self_service"], "customer contacts") end,
}
