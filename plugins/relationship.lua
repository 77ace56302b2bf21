-- The relationship survey of outcome-based service: four questions asked of
-- customers at every level, each answered 0-10. Net Promoter Score comes
-- from the fourth; the relationship score weighs all four equally.
casebook.api(1)

local questions = {
  { key = "survey.goals", doc = "How much does the provider help you reach your business goals? (0-10)" },
  { key = "survey.understanding", doc = "How much does the provider go the extra mile to understand your business goals? (0-10)" },
  { key = "survey.mindset", doc = "How much does the provider bring a \"how can I help\" mindset to every encounter? (0-10)" },
  { key = "survey.recommend", doc = "How likely are you to recommend the provider to a friend or colleague? (0-10)" },
}
for _, q in ipairs(questions) do
  casebook.measure { key = q.key, unit = "score", min = 0, max = 10, integer = true, doc = q.doc }
end

local MIN_ANSWERS = 5 -- fewer answers than this say little about an account

casebook.kpi {
  key = "nps", name = "Net Promoter Score", unit = "points", better = "higher",
  min = -100, max = 100, inputs = { "survey.recommend" },
  doc = "Percent promoters (9-10) minus percent detractors (0-6) among the answers to 'would you recommend'",
  compute = function(w)
    local s = w["survey.recommend"]
    if #s < MIN_ANSWERS then return nil, ("%d answers, fewer than %d"):format(#s, MIN_ANSWERS) end
    return 100 * (s:count_ge(9) - s:count_le(6)) / #s
  end,
}

casebook.kpi {
  key = "relationship_score", name = "Relationship score", unit = "score", better = "higher",
  min = 0, max = 10,
  inputs = { "survey.goals", "survey.understanding", "survey.mindset", "survey.recommend" },
  doc = "Mean of the four relationship questions' mean answers (0-10), each question weighing the same",
  compute = function(w)
    local total = 0
    for _, q in ipairs(questions) do
      local s = w[q.key]
      if #s < MIN_ANSWERS then
        return nil, ("%s has %d answers, fewer than %d"):format(q.key, #s, MIN_ANSWERS)
      end
      total = total + s:mean()
    end
    return total / #questions
  end,
}
