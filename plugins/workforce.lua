-- The technicians serving an account: utilization, work orders and site
-- visits per day, travel per visit, idle against billable time, and the
-- balance of preventive and reactive work.
casebook.api(1)

-- One observation of each per technician per working day on the account.
casebook.measure { key = "time.paid_h", unit = "hours", min = 0,
  doc = "Paid hours of one technician in one day" }
casebook.measure { key = "time.work_h", unit = "hours", min = 0,
  doc = "Of those, hours on real work: diagnosing, repairing, maintaining, advising on jobs (not travel, waiting, admin, training)" }
casebook.measure { key = "time.billable_h", unit = "hours", min = 0,
  doc = "Of those, hours billed to the customer (or counted against a contract)" }
casebook.measure { key = "time.idle_h", unit = "hours", min = 0,
  doc = "Of those, idle hours: no work assigned, waiting for dispatch, parts or access" }
casebook.measure { key = "tech.workorders_closed", unit = "work orders", min = 0, integer = true,
  doc = "Work orders one technician closed in one day (0 on a day without any)" }
casebook.measure { key = "tech.site_visits", unit = "visits", min = 0, integer = true,
  doc = "Customer sites one technician visited in one day (0 on a day without any)" }
casebook.measure { key = "travel.km", unit = "km", min = 0,
  doc = "Kilometres one technician travelled for work in one day" }
casebook.measure { key = "tech.preventive_orders", unit = "work orders", min = 0, integer = true,
  doc = "Preventive (planned maintenance) work orders one technician closed in one day" }
casebook.measure { key = "tech.reactive_orders", unit = "work orders", min = 0, integer = true,
  doc = "Reactive (breakdown, corrective) work orders one technician closed in one day" }

local MIN_DAYS = 1 -- a per-day mean needs at least one technician-day

-- Mean per technician-day, or nil with a reason when there is no day.
local function per_day(s)
  if #s < MIN_DAYS then return nil, "no technician-day in the window" end
  return s:mean()
end

casebook.kpi {
  key = "technician_utilization", name = "Technician utilization", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "time.paid_h", "time.work_h" },
  doc = "Hours on real work / paid hours × 100",
  compute = function(w)
    local paid, work = w["time.paid_h"]:sum(), w["time.work_h"]:sum()
    if paid == 0 then return nil, "no paid hours" end
    if work > paid then return nil, "work hours exceed paid hours" end
    return 100 * work / paid
  end,
}

casebook.kpi {
  key = "workorders_per_day", name = "Work orders closed per day", unit = "work orders", better = "higher",
  min = 0, inputs = { "tech.workorders_closed" },
  doc = "Work orders closed / technician-days (mean of the daily counts)",
  compute = function(w) return per_day(w["tech.workorders_closed"]) end,
}

casebook.kpi {
  key = "site_visits_per_day", name = "Site visits per engineer per day", unit = "visits", better = "higher",
  min = 0, inputs = { "tech.site_visits" },
  doc = "Site visits / technician-days (mean of the daily counts)",
  compute = function(w) return per_day(w["tech.site_visits"]) end,
}

-- Pooled over the window (total km / total visits), so a long day with many
-- visits weighs more than a short one.
casebook.kpi {
  key = "travel_km_per_visit", name = "Travel distance per visit", unit = "km", better = "lower",
  min = 0, inputs = { "travel.km", "tech.site_visits" },
  doc = "Kilometres travelled / site visits",
  compute = function(w)
    local visits = w["tech.site_visits"]:sum()
    if visits == 0 then return nil, "no site visits" end
    return w["travel.km"]:sum() / visits
  end,
}

casebook.kpi {
  key = "idle_to_billable_ratio", name = "Idle to billable ratio", unit = "ratio", better = "lower",
  min = 0, inputs = { "time.idle_h", "time.billable_h" },
  doc = "Idle hours / billable hours",
  compute = function(w)
    local billable = w["time.billable_h"]:sum()
    if billable == 0 then return nil, "no billable hours" end
    return w["time.idle_h"]:sum() / billable
  end,
}

-- Higher is better: planned maintenance prevents breakdowns.
casebook.kpi {
  key = "preventive_to_reactive_ratio", name = "Preventive to reactive ratio", unit = "ratio", better = "higher",
  min = 0, inputs = { "tech.preventive_orders", "tech.reactive_orders" },
  doc = "Preventive work orders / reactive work orders",
  compute = function(w)
    local reactive = w["tech.reactive_orders"]:sum()
    if reactive == 0 then return nil, "no reactive work orders" end
    return w["tech.preventive_orders"]:sum() / reactive
  end,
}
