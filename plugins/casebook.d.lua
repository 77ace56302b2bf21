---@meta
-- LuaLS annotations for the Casebook plugin API, version 1. Not a plugin:
-- files ending in .d.lua are never loaded. Add this folder to your editor's
-- Lua workspace library (LuaLS: "workspace.library") to complete `casebook.`.

---A read-only view of one measure's observations in one window, in time
---order. Valid during its compute call only.
---@class casebook.Series
---@operator len: integer
---@field [integer] number the i-th value (1-based); nil past the end
local Series = {}

---Number of observations (same as `#s`).
---@return integer
function Series:count() end

---Time of the i-th observation, Unix seconds (UTC).
---@param i integer
---@return integer|nil
function Series:time(i) end

---Sum of the values (compensated summation).
---@return number
function Series:sum() end

---Mean of the values; nil when empty.
---@return number|nil
function Series:mean() end

---Smallest value; nil when empty.
---@return number|nil
function Series:min() end

---Largest value; nil when empty.
---@return number|nil
function Series:max() end

---Sample standard deviation (n - 1); nil below 2 values.
---@return number|nil
function Series:stddev() end

---Quantile p (0..1), linear between order statistics (R type 7); nil when empty.
---@param p number
---@return number|nil
function Series:quantile(p) end

---How many values are >= x.
---@param x number
---@return integer
function Series:count_ge(x) end

---How many values are <= x.
---@param x number
---@return integer
function Series:count_le(x) end

---How many values equal x.
---@param x number
---@return integer
function Series:count_eq(x) end

---One account's window: `w[measure_key]` is that measure's series.
---@class casebook.Window
---@field account string account key
---@field from string|nil first day, YYYY-MM-DD (inclusive)
---@field to string|nil end day, YYYY-MM-DD (exclusive)
---@field kpi string the KPI being computed
---@field [string] casebook.Series

---@class casebook.MeasureSpec
---@field key string lowercase words joined by '.' or '_'
---@field unit string
---@field doc string one line: what is recorded
---@field min? number smallest allowed value
---@field max? number largest allowed value
---@field integer? boolean whole numbers only

---@class casebook.KpiSpec
---@field key string lowercase words joined by '.' or '_'
---@field name string
---@field unit string
---@field better "higher"|"lower"
---@field inputs string[] measure keys
---@field doc string one line: the formula
---@field min? number
---@field max? number
---@field compute (fun(w: casebook.Window): number|nil, string|nil)|"count"|"sum"|"mean"|"min"|"max" a function, or a built-in statistic of the one input

---@class casebook
---@field api_version integer the API version this Casebook provides
casebook = {}

---Declares the API version the plugin is written for. Call it first.
---@param version integer
function casebook.api(version) end

---Declares a measure.
---@param spec casebook.MeasureSpec
function casebook.measure(spec) end

---Declares a KPI.
---@param spec casebook.KpiSpec
function casebook.kpi(spec) end

---Registers a hook; return false, "reason" from fn to reject the record.
---@param event "session.record"|"case.submit"
---@param fn fun(record: table): boolean|nil, string|nil
function casebook.on(event, fn) end

---Writes a line to stderr, prefixed with the plugin's name.
---@param ... any
function casebook.log(...) end
