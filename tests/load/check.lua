-- wrk script for tests/load/preview_load.py: asks for a mix of pages, and checks every HTML
-- response is a whole document from one build: it ends with </html>, and on the brief being
-- edited the marker in <title> matches the markers at the top and bottom of the body.
local paths = { "/", "/briefs/load-test/", "/briefs/load-test/", "/authors/", "/topics/", "/sources/" }
local n = 0
stats = { bad_status = 0, torn = 0, mixed = 0, html = 0, checked = 0, lowest = 1e9, highest = 0 }
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    stats.bad_status = stats.bad_status + 1
    return
  end
  local kind = headers["Content-Type"] or headers["content-type"] or ""
  if not string.find(kind, "text/html", 1, true) then return end
  stats.html = stats.html + 1
  if not string.find(body, "</html>%s*$") then
    stats.torn = stats.torn + 1
    return
  end
  local title = string.match(body, "<title>[^<]*Load edit (%d+)")
  if title then
    stats.checked = stats.checked + 1
    local top = string.match(body, "load%-top%-(%d+)")
    local bottom = string.match(body, "load%-bottom%-(%d+)")
    if top ~= title or bottom ~= title then stats.mixed = stats.mixed + 1 end
    local edit = tonumber(title)
    if edit < stats.lowest then stats.lowest = edit end
    if edit > stats.highest then stats.highest = edit end
  end
end

function done(summary, latency, requests)
  local total = { bad_status = 0, torn = 0, mixed = 0, html = 0, checked = 0 }
  local lowest, highest = 1e9, 0
  for _, thread in ipairs(threads) do
    local got = thread:get("stats")
    for key, _ in pairs(total) do
      total[key] = total[key] + (got[key] or 0)
    end
    lowest = math.min(lowest, got.lowest)
    highest = math.max(highest, got.highest)
  end
  -- `builds` counts the versions of the edited brief seen served: the rebuilds under load.
  io.write(string.format(
    "CHECKS bad_status=%d torn=%d mixed=%d html=%d checked=%d builds=%d\n",
    total.bad_status, total.torn, total.mixed, total.html, total.checked,
    math.max(0, highest - lowest + 1)))
end
