-- The customer's own operational results, the outcomes that outcome-based
-- service contracts promise: equipment availability, downtime, OEE, cycle and
-- lead time, throughput, and contribution margin per unit.
casebook.api(1)

-- Time and output: one observation per machine (or line) per shift or day.
casebook.measure { key = "equipment.planned_h", unit = "hours", min = 0,
  doc = "Planned production time of a machine or line in one shift or day" }
casebook.measure { key = "equipment.run_h", unit = "hours", min = 0,
  doc = "Time it actually ran in that planned time (planned time minus stops)" }
casebook.measure { key = "production.ideal_h", unit = "hours", min = 0,
  doc = "Ideal cycle time × units produced in that shift or day: the time the output needs at rated speed" }
casebook.measure { key = "production.total_count", unit = "units", min = 0, integer = true,
  doc = "Units produced in that shift or day, good and bad" }
casebook.measure { key = "production.good_count", unit = "units", min = 0, integer = true,
  doc = "Units produced right first time (no scrap, no rework) in that shift or day" }

-- Durations: one observation per unit (or batch) and per customer order.
casebook.measure { key = "production.cycle_min", unit = "minutes", min = 0,
  doc = "One per unit or batch: minutes from the start to the end of its processing" }
casebook.measure { key = "production.lead_time_d", unit = "days", min = 0,
  doc = "One per customer order delivered: days from the order to its delivery" }

-- Money: one observation per period (e.g. per month).
casebook.measure { key = "finance.revenue", unit = "money", min = 0,
  doc = "Revenue from the units sold in a period" }
casebook.measure { key = "finance.variable_cost", unit = "money", min = 0,
  doc = "Variable cost of those units (materials, direct labour, energy, freight)" }
casebook.measure { key = "finance.units_sold", unit = "units", min = 0, integer = true,
  doc = "Units sold in that period" }

local MIN_EVENTS = 1 -- a mean duration needs at least one unit or order

-- Sums of planned and run time, or nil with a reason when they cannot be used.
local function times(w)
  local planned, run = w["equipment.planned_h"]:sum(), w["equipment.run_h"]:sum()
  if planned == 0 then return nil, "no planned production time" end
  if run > planned then return nil, "run time exceeds planned time" end
  return planned, run
end

casebook.kpi {
  key = "equipment_availability", name = "Equipment availability", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "equipment.planned_h", "equipment.run_h" },
  doc = "Run time / planned production time × 100 (uptime)",
  compute = function(w)
    local planned, run = times(w)
    if not planned then return nil, run end
    return 100 * run / planned
  end,
}

casebook.kpi {
  key = "downtime_uptime_ratio", name = "Downtime to uptime ratio", unit = "ratio", better = "lower",
  min = 0, inputs = { "equipment.planned_h", "equipment.run_h" },
  doc = "(Planned time - run time) / run time",
  compute = function(w)
    local planned, run = times(w)
    if not planned then return nil, run end
    if run == 0 then return nil, "no run time: the equipment never ran" end
    return (planned - run) / run
  end,
}

-- OEE = availability × performance × quality (Nakajima, Introduction to TPM,
-- 1988): availability = run / planned time, performance = ideal time / run
-- time, quality = good / total count.
casebook.kpi {
  key = "oee", name = "Overall equipment effectiveness", unit = "%", better = "higher",
  min = 0, max = 100,
  inputs = { "equipment.planned_h", "equipment.run_h", "production.ideal_h",
             "production.total_count", "production.good_count" },
  doc = "Availability (run / planned time) × performance (ideal / run time) × quality (good / total count) × 100",
  compute = function(w)
    local planned, run = times(w)
    if not planned then return nil, run end
    local ideal = w["production.ideal_h"]:sum()
    local total, good = w["production.total_count"]:sum(), w["production.good_count"]:sum()
    if total == 0 or run == 0 then return nil, "no units produced" end
    if ideal > run then return nil, "ideal time exceeds run time: check the ideal cycle time" end
    if good > total then return nil, "more good units than units produced" end
    return 100 * (run / planned) * (ideal / run) * (good / total)
  end,
}

casebook.kpi {
  key = "cycle_time", name = "Cycle time", unit = "minutes", better = "lower",
  min = 0, inputs = { "production.cycle_min" },
  doc = "Mean minutes from start to end of processing one unit or batch",
  compute = function(w)
    local s = w["production.cycle_min"]
    if #s < MIN_EVENTS then return nil, "no unit or batch processed" end
    return s:mean()
  end,
}

casebook.kpi {
  key = "lead_time", name = "Delivery lead time", unit = "days", better = "lower",
  min = 0, inputs = { "production.lead_time_d" },
  doc = "Mean days from a customer's order to its delivery",
  compute = function(w)
    local s = w["production.lead_time_d"]
    if #s < MIN_EVENTS then return nil, "no order delivered" end
    return s:mean()
  end,
}

-- Throughput counts good units over planned time, so downtime and scrap
-- both lower it: what the customer can actually ship per hour.
casebook.kpi {
  key = "throughput", name = "Throughput", unit = "units per hour", better = "higher",
  min = 0, inputs = { "equipment.planned_h", "production.good_count" },
  doc = "Good units produced / planned production hours",
  compute = function(w)
    local planned = w["equipment.planned_h"]:sum()
    if planned == 0 then return nil, "no planned production time" end
    -- Planned hours alone are no output: without counts there is no data.
    if #w["production.good_count"] == 0 then return nil, "no production counts recorded" end
    return w["production.good_count"]:sum() / planned
  end,
}

casebook.kpi {
  key = "contribution_margin_per_unit", name = "Contribution margin per unit", unit = "money",
  better = "higher", inputs = { "finance.revenue", "finance.variable_cost", "finance.units_sold" },
  doc = "(Revenue - variable cost) / units sold",
  compute = function(w)
    local units = w["finance.units_sold"]:sum()
    if units == 0 then return nil, "no units sold" end
    return (w["finance.revenue"]:sum() - w["finance.variable_cost"]:sum()) / units
  end,
}
