-- How customers feel about service transactions: CSAT after a job, customer
-- effort (CES), and complaints opened, resolved and escalated. (The
-- relationship survey and NPS are in relationship.lua.)
casebook.api(1)

-- Survey answers: one observation per answer.
casebook.measure { key = "csat.score", unit = "score", min = 1, max = 5, integer = true,
  doc = "How satisfied were you with the service? (1 very dissatisfied - 5 very satisfied)" }
-- Effort runs 1 = very low effort to 7 = very high effort, so lower is better.
-- CES 2.0's agree-scale ("the company made it easy...", 7 = strongly agree)
-- runs the other way: record 8 minus such an answer.
casebook.measure { key = "ces.score", unit = "score", min = 1, max = 7, integer = true,
  doc = "How much effort did it take you to get your problem solved? (1 very low - 7 very high effort)" }

-- Complaints: one observation per complaint, dated when it was opened; the
-- flags are set (or corrected) when its outcome is known.
casebook.measure { key = "complaint.opened", unit = "complaints", min = 0, integer = true,
  doc = "Complaints opened: 1 per complaint, or one count per day (0 on a day without any)" }
casebook.measure { key = "complaint.resolved", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per complaint opened: 1 when it was resolved and closed with the customer's agreement" }
casebook.measure { key = "complaint.escalated", unit = "flag", min = 0, max = 1, integer = true,
  doc = "One per complaint opened: 1 when it went beyond first line (to management or a specialist team)" }

local MIN_ANSWERS = 3   -- a survey mean or share needs at least 3 answers
local MIN_COMPLAINTS = 1 -- a share of complaints needs at least one

-- A series of survey answers, or nil with a reason when there are too few.
local function answers(w, key)
  local s = w[key]
  if #s < MIN_ANSWERS then return nil, ("%d answers, fewer than %d"):format(#s, MIN_ANSWERS) end
  return s
end

casebook.kpi {
  key = "csat", name = "Customer satisfaction (CSAT)", unit = "score", better = "higher",
  min = 1, max = 5, inputs = { "csat.score" },
  doc = "Mean of the satisfaction answers (1-5)",
  compute = function(w)
    local s, why = answers(w, "csat.score")
    if not s then return nil, why end
    return s:mean()
  end,
}

-- The other common way to report CSAT: the share of satisfied customers.
casebook.kpi {
  key = "csat_top2", name = "CSAT, % satisfied", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "csat.score" },
  doc = "Answers of 4 or 5 / all satisfaction answers × 100",
  compute = function(w)
    local s, why = answers(w, "csat.score")
    if not s then return nil, why end
    return 100 * s:count_ge(4) / #s
  end,
}

casebook.kpi {
  key = "ces", name = "Customer effort score (CES)", unit = "score", better = "lower",
  min = 1, max = 7, inputs = { "ces.score" },
  doc = "Mean of the effort answers (1 very low - 7 very high effort)",
  compute = function(w)
    local s, why = answers(w, "ces.score")
    if not s then return nil, why end
    return s:mean()
  end,
}

-- A count: a window with no observation at all is no data, not 0, for it
-- cannot tell "no complaints" from "complaints not recorded". An account
-- whose complaints are counted records 0 on a day without any.
casebook.kpi {
  key = "complaints_opened", name = "Complaints opened", unit = "complaints", better = "lower",
  min = 0, inputs = { "complaint.opened" },
  doc = "Sum of complaints opened in the window",
  compute = function(w)
    local s = w["complaint.opened"]
    if #s == 0 then return nil, "no complaint count recorded in the window" end
    return s:sum()
  end,
}

casebook.kpi {
  key = "complaint_resolution_rate", name = "Complaints resolved", unit = "%", better = "higher",
  min = 0, max = 100, inputs = { "complaint.resolved" },
  doc = "Complaints resolved / complaints opened × 100",
  compute = function(w)
    local s = w["complaint.resolved"]
    if #s < MIN_COMPLAINTS then return nil, "no complaint in the window" end
    return 100 * s:mean()
  end,
}

casebook.kpi {
  key = "complaint_escalation_rate", name = "Complaints escalated", unit = "%", better = "lower",
  min = 0, max = 100, inputs = { "complaint.escalated" },
  doc = "Complaints escalated beyond first line / complaints opened × 100",
  compute = function(w)
    local s = w["complaint.escalated"]
    if #s < MIN_COMPLAINTS then return nil, "no complaint in the window" end
    return 100 * s:mean()
  end,
}
