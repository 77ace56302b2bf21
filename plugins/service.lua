-- The provider's service delivery for an account: first-time fix, repair and
-- response times, SLA compliance, rescheduled and repeat visits, and the cost
-- of parts bought in a hurry.
casebook.api(1)

-- Work orders: one observation per work order completed (or closed).
casebook.measure { key = "workorder.first_time_fix", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per work order completed: 1 when the first visit fixed it (no return visit, no second contact)" }
casebook.measure { key = "workorder.within_sla", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per work order under SLA terms: 1 when every term (response, resolution) was met" }
casebook.measure { key = "workorder.emergency_parts_cost", unit = "money", min = 0,
  doc = "One per work order completed: cost of the parts bought urgently for it (express freight, out-of-stock buys), 0 when none" }

-- Durations: one observation per repair or call.
casebook.measure { key = "repair.hours", unit = "hours", min = 0,
  doc = "One per repair completed: hours from the start of diagnosis to the equipment working again" }
casebook.measure { key = "call.response_hours", unit = "hours", min = 0,
  doc = "One per service call: hours from the call being logged to the technician on site (or remote session started)" }

-- Visits: one observation per visit.
casebook.measure { key = "visit.rescheduled", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per scheduled visit: 1 when it was moved from the slot first agreed with the customer" }
casebook.measure { key = "visit.repeat", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per visit made: 1 when it returns to a problem an earlier visit was meant to fix (a callback within 30 days)" }

local MIN_EVENTS = 1 -- a share or a mean needs at least one work order, repair, call or visit

-- Percent of a 0/1 flag series that is 1, or nil with a reason when empty.
local function percent_of_flags(s, what)
  if #s < MIN_EVENTS then return nil, ("no %s in the window"):format(what) end
  return 100 * s:mean()
end

-- Mean of a series, or nil with a reason when empty.
local function mean_of(s, what)
  if #s < MIN_EVENTS then return nil, ("no %s in the window"):format(what) end
  return s:mean()
end

casebook.kpi {
  key = "first_time_fix_rate", name = "First-time fix rate", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "workorder.first_time_fix" },
  doc = "Work orders fixed on the first visit / work orders completed × 100",
  compute = function(w) return percent_of_flags(w["workorder.first_time_fix"], "work order completed") end,
}

-- MTTR as active repair time (diagnosis to working again), not time since
-- the fault was reported: response time is measured on its own below.
casebook.kpi {
  key = "mttr", name = "Mean time to repair", unit = "hours", better = "lower",
  min = 0, inputs = { "repair.hours" },
  doc = "Sum of repair hours / repairs completed (mean of repair.hours)",
  compute = function(w) return mean_of(w["repair.hours"], "repair completed") end,
}

casebook.kpi {
  key = "sla_compliance", name = "SLA compliance", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "workorder.within_sla" },
  doc = "Work orders that met every SLA term / work orders under SLA × 100",
  compute = function(w) return percent_of_flags(w["workorder.within_sla"], "work order under SLA") end,
}

casebook.kpi {
  key = "response_time", name = "Average response time", unit = "hours", better = "lower",
  min = 0, inputs = { "call.response_hours" },
  doc = "Mean hours from a service call being logged to the technician on site",
  compute = function(w) return mean_of(w["call.response_hours"], "service call") end,
}

casebook.kpi {
  key = "rescheduling_rate", name = "Rescheduling rate", unit = "%", better = "lower",
  min = 0, max = 100, inputs = { "visit.rescheduled" },
  doc = "Visits moved from their first agreed slot / visits scheduled × 100",
  compute = function(w) return percent_of_flags(w["visit.rescheduled"], "visit scheduled") end,
}

casebook.kpi {
  key = "repeat_visit_rate", name = "Repeat-visit rate", unit = "%", better = "lower",
  min = 0, max = 100, inputs = { "visit.repeat" },
  doc = "Visits returning to a problem an earlier visit should have fixed / visits made × 100",
  compute = function(w) return percent_of_flags(w["visit.repeat"], "visit made") end,
}

-- Per work order rather than a window total, so windows of different length
-- or volume (before and after training) compare; total = this × work orders.
casebook.kpi {
  key = "emergency_parts_cost", name = "Emergency parts cost per work order", unit = "money", better = "lower",
  min = 0, inputs = { "workorder.emergency_parts_cost" },
  doc = "Sum of emergency parts cost / work orders completed (orders without any count as 0)",
  compute = function(w) return mean_of(w["workorder.emergency_parts_cost"], "work order completed") end,
}
