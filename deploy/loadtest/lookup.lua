-- wrk script: GET each path of the file named by $PATHS in turn
-- (one "/v1/lookup?url=..." per line, as deploy/loadtest/fill writes them).
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local i = math.random(#paths)

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

-- Count answers that are not 200 (wrk reports only socket errors and non-2xx/3xx).
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
