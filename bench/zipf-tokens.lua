-- wrk -s script of the bench rows that send many distinct tokens
-- (bench/run.sh, "## script:"): every request carries one of the tokens
-- of the file $BENCH_TOKEN_FILE (one a line, made for the run by
-- bench/mint_tokens.py), the token of rank k (its line) picked with
-- probability proportional to 1 / k^s: a Zipf law, s = $BENCH_ZIPF_S
-- (default 1.1), from a fixed seed ($BENCH_ZIPF_SEED), so every run and
-- every row sends the same sequence (LuaJIT's PRNG is the same on every
-- platform). The requests are formatted once, in init().

local s = tonumber(os.getenv("BENCH_ZIPF_S") or "1.1")
local seed = tonumber(os.getenv("BENCH_ZIPF_SEED") or "20261206")
local requests, cdf, n = {}, {}, 0

function init(args)
    local file = os.getenv("BENCH_TOKEN_FILE")
    local f = assert(io.open(file or "", "r"), "BENCH_TOKEN_FILE: no file")
    local headers, sum = {}, 0

    for k, v in pairs(wrk.headers) do
        headers[k] = v
    end

    for line in f:lines() do
        if #line > 0 then
            n = n + 1
            headers["Authorization"] = "Bearer " .. line
            requests[n] = wrk.format(nil, nil, headers)
            sum = sum + 1 / n ^ s
            cdf[n] = sum
        end
    end
    f:close()
    assert(n > 0, "no token in " .. file)

    for i = 1, n do
        cdf[i] = cdf[i] / sum
    end
    math.randomseed(seed)
end

function request()
    local u, lo, hi = math.random(), 1, n

    while lo < hi do
        local mid = math.floor((lo + hi) / 2)
        if cdf[mid] < u then lo = mid + 1 else hi = mid end
    end
    return requests[lo]
end
