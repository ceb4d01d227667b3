#!/usr/bin/env bash
# Self-check of the mock Ticketing API (t/mock/ticketing_mock.py).
#
# Starts the mock on a free port, calls every catalogue operation once,
# checks provider separation, some injected errors and the /__mock/
# introspection endpoints, stops it with SIGTERM.  Exits non-zero on any
# mismatch.  Bounded: every curl has a timeout, every wait a limit.
#
#     bash t/mock/selftest.sh

set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
PIDFILE=$TMP/mock.pid
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
MOCK_PID=

cleanup() {
    if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

python3 "$HERE/ticketing_mock.py" --host 127.0.0.1 --port "$PORT" \
    --pidfile "$PIDFILE" --quiet 2>"$TMP/stderr" &
MOCK_PID=$!

# The pidfile appears once the mock listens.
for _ in $(seq 50); do [ -s "$PIDFILE" ] && break; sleep 0.1; done
if [ ! -s "$PIDFILE" ]; then
    echo "FAIL: mock did not start"; cat "$TMP/stderr"; exit 1
fi

PASS=0
FAIL=0

# call METHOD PATH [curl args...]: response in $TMP/body, $TMP/headers,
# status in $STATUS.
call() {
    local method=$1 path=$2
    shift 2
    STATUS=$(curl -sS --max-time 10 -o "$TMP/body" -D "$TMP/headers" \
                  -w '%{http_code}' -X "$method" "$BASE$path" "$@") \
        || STATUS=000
}

# py EXPR: evaluate EXPR over the last response: j (parsed JSON or None),
# b (raw body bytes), h (headers, lower-cased names).  Prints the value.
py() {
    python3 - "$TMP/body" "$TMP/headers" "$1" <<'EOF'
import gzip, json, sys
b = open(sys.argv[1], "rb").read()
h = {}
for line in open(sys.argv[2], encoding="latin-1").read().splitlines()[1:]:
    if ":" in line:
        k, v = line.split(":", 1)
        h[k.strip().lower()] = v.strip()
try:
    j = json.loads(b)
except ValueError:
    j = None
print(eval(sys.argv[3]))
EOF
}

ok()   { PASS=$((PASS + 1)); }
fail() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# t NAME STATUS EXPR METHOD PATH [curl args...]: one request, expecting the
# status and EXPR (see py) to be true; EXPR "-" checks the status only.
t() {
    local name=$1 want=$2 expr=$3
    shift 3
    call "$@"
    if [ "$STATUS" != "$want" ]; then
        fail "$name: status $STATUS, expected $want: $(head -c 300 "$TMP/body")"
    elif [ "$expr" != "-" ] && [ "$(py "bool($expr)" 2>&1)" != "True" ]; then
        fail "$name: $expr is not true for: $(head -c 300 "$TMP/body")"
    else
        ok
    fi
}

JAM=(-H 'ticketing-provider: JAM')
JCC=(-H 'ticketing-provider: JCC')
JSON=(-H 'Content-Type: application/json')
O=/v2/orgs/yoigo
UNIFORM_404='j == {"code": "0004", "status": "NOT_FOUND", "message": "Not found", "detailMsg": "Resource not found"}'

# --- introspection basics ---------------------------------------------------
t health 200 'j == {"status": "ok"}' GET /__mock/health
t reset 200 'j == {"reset": True}' POST /__mock/reset
t count.zero 200 'j == {"count": 0}' GET /__mock/count
t last.none 200 'j is None' GET /__mock/last

# --- the 27 operations --------------------------------------------------------
t ticket.create 201 'j == {"id": 3644, "key": "INST-7903"}' \
    POST $O/ticket "${JAM[@]}" "${JSON[@]}" \
    -d '{"project":"INST","ticketType":"Incidencia","summary":"Cita - Y1","description":"d","components":[],"customFields":{"work_order_id":"Y1"}}'
t ticket.get 200 'j["key"] == "INST-7902" and j["customFields"]["work_order_id"] == "Y28257924"' \
    GET $O/ticket/INST-7902 "${JAM[@]}"
t ticket.get.by-id 200 'j["key"] == "INST-7903" and j["summary"] == "Cita - Y1"' \
    GET $O/ticket/3644 "${JAM[@]}"
t ticket.update 204 'b == b"" and "content-length" not in h' \
    PATCH $O/ticket/INST-7903 "${JAM[@]}" "${JSON[@]}" \
    -d '{"summary":"Cambiado","customFields":{"brand":"Yoigo"}}'
t ticket.update.applied 200 'j["summary"] == "Cambiado" and j["customFields"]["brand"] == "Yoigo"' \
    GET $O/ticket/INST-7903 "${JAM[@]}"
t ticket.searchJql 200 'j["total"] == 1 and j["tickets"][0]["key"] == "MAS-1201" and j["startAt"] == 0 and j["maxResults"] == 50' \
    GET "$O/search/ticket?jql=project%20%3D%20MAS" "${JAM[@]}"
t ticket.searchJql.all 200 'j["total"] == 4' \
    GET "$O/search/ticket?jql=" "${JAM[@]}"
t ticket.searchJql.order 200 '[x["key"] for x in j["tickets"]] == ["INST-7903", "INST-7902"]' \
    GET "$O/search/ticket?jql=project%20%3D%20INST%20ORDER%20BY%20key%20desc" "${JAM[@]}"
t ticket.search 200 'isinstance(j, list) and [x["key"] for x in j] == ["MAS-1201"]' \
    POST $O/search/ticket "${JAM[@]}" "${JSON[@]}" \
    -d '{"filters":{"project":"MAS","issuetype":{"$in":["Avería (FTTH)","Avería (xDSL)"]},"status":{"$notIn":["Resolved","CLOSE"]},"massiveFaults":{"$isNotEmpty":""}},"orderby":{"fields":["status desc"]},"startAt":0,"maxResults":100}'
t ticket.search.label 200 '[x["key"] for x in j] == ["INST-7902"] and set(j[0]) == {"id", "key", "summary"}' \
    POST $O/search/ticket "${JAM[@]}" "${JSON[@]}" \
    -d '{"filters":{"Documento Cliente":{"$like":"12345678"}},"fields":["summary"]}'
t ticket.searchByTerritoryOwner 200 'j["total"] == 2 and len(j["tickets"]) == 2' \
    GET $O/searchByTerritoryOwner "${JAM[@]}"
t ticket.searchByIDParams 200 'j["total"] == 1 and j["tickets"][0]["key"] == "INST-7902"' \
    GET "$O/searchByIDParams?customer_id=12345&document_id=12345678X" "${JAM[@]}"
t ticket.transitions 200 'j == [[{"id": 11, "name": "Asignar", "status": "Asignado"}, {"id": 21, "name": "Resolver", "status": "RESUELTO"}, {"id": 111, "name": "Escalar a externo", "status": "Escalado externo"}]]' \
    GET $O/ticket/INST-7902/transitions "${JAM[@]}"
t ticket.transition 204 - \
    POST $O/ticket/INST-7902/transitions "${JAM[@]}" "${JSON[@]}" \
    -d '{"transitionId":111,"customFields":{"external_system_name":"Orange"}}'
t ticket.transition.applied 200 'j["status"] == "Escalado externo" and j["customFields"]["external_system_name"] == "Orange"' \
    GET $O/ticket/3641 "${JAM[@]}"
t ticket.transition.invalid 400 'j["code"] == "0015"' \
    POST $O/ticket/INST-7902/transitions "${JAM[@]}" "${JSON[@]}" -d '{"transitionId":31}'
t ticket.assign 204 - \
    PUT /v2/ticket/INST-7902/assignee "${JAM[@]}" "${JSON[@]}" -d '{"assignee":"admin.micro"}'
t ticket.assign.applied 200 'j["assignee"] == "admin.micro"' \
    GET $O/ticket/INST-7902 "${JAM[@]}"
t metadata.createProperties 200 'j["subscriptionNumber"] == {"required": True, "name": "Suscripción"}' \
    GET "/v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia" "${JAM[@]}"
t metadata.updateProperties 200 'j["customerSegment"]["allowedValues"][0] == {"value": "EMPRESA"}' \
    GET /v2/ticket/INST-7902/metadata/update/properties "${JAM[@]}"
t metadata.types 200 'j[0][0]["projectKey"] == "EKT" and j[0][0]["issuetypes"][0]["name"] == "Aviso de llamada perdida"' \
    GET /v2/ticket/metadata/types "${JAM[@]}"
t metadata.fieldInfo 200 'j == {"jira_label": "Huella", "api_name": "track"}' \
    GET "/v2/ticket/field/info?customfield_id=customfield_12800" "${JAM[@]}"
t comment.create 201 'j == {"ticketId": "INST-7902", "author": "a@b.c", "body": "hola"}' \
    POST /v2/ticket/INST-7902/comment "${JAM[@]}" "${JSON[@]}" \
    -d '{"ticketId":"INST-7902","author":"a@b.c","body":"hola"}'
t attachment.create 201 'j["filename"] == "f.txt" and j["size"] == 5 and j["mimeType"] == "text/plain" and j["self"].endswith("/ticket/3641/attachment/24820")' \
    POST /v2/ticket/INST-7902/attachment "${JAM[@]}" "${JSON[@]}" \
    -d '{"name":"f.txt","data":"aGVsbG8=","mimeType":"text/plain"}'
t attachment.get 200 'j == {"ticketId": "3641", "name": "f.txt", "attachmentId": "24820", "base64": "aGVsbG8="}' \
    GET /v2/ticket/INST-7902/attachment/24820 "${JAM[@]}"
t ticket.get.attachments 200 '[a["filename"] for a in j["attachments"]] == ["MYSIM_398171.pdf", "f.txt"]' \
    GET "$O/ticket/INST-7902?attachment" "${JAM[@]}"
t attachment.delete 204 - DELETE /v2/attachment/24820 "${JAM[@]}"
t attachment.delete.applied 404 "$UNIFORM_404" \
    GET /v2/ticket/INST-7902/attachment/24820 "${JAM[@]}"
t issueLink.create 201 'j == {"message": "issue link created successfully."} and h["location"] == "/v2/issueLink/10001"' \
    POST /v2/issueLink "${JAM[@]}" "${JSON[@]}" \
    -d '{"type":{"name":"Blocks"},"inwardIssue":{"key":"INST-7902"},"outwardIssue":{"key":"INST-7903"}}'
t issueLink.get 200 'j == {"id": "10001", "type": {"name": "Blocks"}, "inwardIssue": {"key": "INST-7902"}, "outwardIssue": {"key": "INST-7903"}}' \
    GET /v2/issueLink/10001 "${JAM[@]}"
t issueLinkType.get 200 'j == [{"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"}]' \
    GET /v2/issueLinkType/10001 "${JAM[@]}"
t issueLink.delete 204 - DELETE /v2/issueLink/10001 "${JAM[@]}"
t issueLink.delete.applied 404 - GET /v2/issueLink/10001 "${JAM[@]}"
t issueLinkType.list 200 'isinstance(j, list) and "Relates" in [x["name"] for x in j]' \
    GET /v2/issueLinkType "${JAM[@]}"
t grid.update 204 - \
    PUT "/v2/ticket/INST-7902/grid?customFieldName=workorder_index" "${JAM[@]}" "${JSON[@]}" \
    -d '[{"rowId":"row_94ba7042-c49b-4f53-971b-44549b9c08a0","columns":{"key":"test"}},{"rowId":"r2","columns":{"a":"b"}}]'
t grid.update.applied 200 'j["customFields"]["workorder_index"] == [{"rowId": "row_94ba7042-c49b-4f53-971b-44549b9c08a0", "columns": {"key": "test"}}, {"rowId": "r2", "columns": {"a": "b"}}]' \
    GET $O/ticket/INST-7902 "${JAM[@]}"
t ia.summary 200 'set(j) == {"operative_summary", "message_for_client"}' \
    GET /v2/ticket/INST-7902/ia/summary "${JAM[@]}"
t ia.duration 200 'j["estimated_resolution_date"].count("/") == 2 and isinstance(j["estimated_minutes"], float)' \
    GET /v2/ticket/INST-7902/ia/duration "${JAM[@]}"
DUE=$(py 'j["estimated_resolution_date"]')
t ia.duration.side-effect 200 "j['customFields']['estimated_resolution_date'] == '$DUE'" \
    GET $O/ticket/INST-7902 "${JAM[@]}"
t remotelink.create 201 'j == {"message": "remote issue link created successfully."}' \
    POST /v2/remotelink "${JAM[@]}" "${JSON[@]}" \
    -d '{"ticketId":"INST-7902","object":{"url":"https://example.com","title":"x"}}'

# --- providers, routing, validation --------------------------------------------
t provider.separate 404 "$UNIFORM_404" GET $O/ticket/INST-7903 "${JCC[@]}"
t provider.own-ticket 200 'j["key"] == "CC-101"' GET $O/ticket/CC-101 "${JCC[@]}"
t provider.other-ticket 404 - GET $O/ticket/AMA-101 "${JCC[@]}"
t provider.seeded 200 'j["status"] == "Abierto"' GET $O/ticket/INST-7902 -H 'ticketing-provider: JNEXT'
t provider.missing 400 'j["code"] == "0015" and j["status"] == "BAD_REQUEST" and j["message"] == "Bad Request" and j["detailMsg"]' \
    GET $O/ticket/INST-7902
t provider.unknown 400 'j["code"] == "0015"' GET $O/ticket/INST-7902 -H 'ticketing-provider: jam'
t ticket.unknown 404 "$UNIFORM_404" GET /v2/ticket/NOPE-1/ia/summary "${JAM[@]}"
t path.unknown 404 "$UNIFORM_404" GET /v2/nothing "${JAM[@]}"
t path.literal-wins 405 'j["code"] == "9405" and h["allow"] == "GET"' \
    POST /v2/ticket/metadata/types "${JAM[@]}"
t method.other 405 'j["code"] == "9405"' TRACE /v2/issueLink "${JAM[@]}"
t path.encoded-slash 404 - GET /v2/ticket/INST%2F7902/ia/summary "${JAM[@]}"
t json.malformed 400 'j["code"] == "0015" and "JSON" in j["detailMsg"]' \
    POST $O/ticket "${JAM[@]}" "${JSON[@]}" -d '{"project":'

# --- error injection ------------------------------------------------------------
t err.jira 400 'set(j) == {"errorMessages", "errors"} and "summary" in j["errors"]' \
    GET /v2/ticket/INST-7902/ia/summary "${JAM[@]}" -H 'X-Mock-Error: jira'
t err.jira.status 422 'isinstance(j["errorMessages"], list)' \
    GET /v2/ticket/INST-7902/ia/summary -H 'X-Mock-Error: jira' -H 'X-Mock-Status: 422'
t err.magic.jira 400 '"errorMessages" in j' GET $O/ticket/ERR-JIRA "${JAM[@]}"
t err.magic.spring 500 'j["status"] == 500 and j["error"] == "Internal Server Error" and j["path"] == "/v2/ticket/ERR-SPRING/ia/duration"' \
    GET /v2/ticket/ERR-SPRING/ia/duration "${JAM[@]}"
t err.html502 502 'h["content-type"] == "text/html" and b"<html>" in b' \
    GET /v2/issueLinkType -H 'X-Mock-Error: html502'
t err.stacktrace 500 'h["content-type"].startswith("text/plain") and b"10.20.30.40" in b and b".java" in b' \
    GET /v2/issueLinkType -H 'X-Mock-Error: stacktrace'
t err.empty503 503 'b == b"" and h["content-length"] == "0"' \
    GET /v2/issueLinkType -H 'X-Mock-Error: empty503'
t err.uniform 409 'j == {"code": "9409", "status": "CONFLICT", "message": "Conflict", "detailMsg": "Injected uniform error"}' \
    GET /v2/issueLinkType -H 'X-Mock-Error: uniform'
t err.uniform.404 404 'j["code"] == "0004"' \
    GET /v2/issueLinkType -H 'X-Mock-Error: uniform' -H 'X-Mock-Status: 404'
t err.uniform.override 404 'j == {"code": "0002", "status": "NOT_FOUND", "message": "Not found", "detailMsg": None, "x": 1}' \
    GET /v2/issueLinkType -H 'X-Mock-Error: uniform' -H 'X-Mock-Status: 404' \
    -H 'X-Mock-Uniform: {"code":"0002","detailMsg":null,"x":1}'
t err.uniform.override.bad 400 'j["detailMsg"] == "X-Mock-Uniform is not a JSON object"' \
    GET /v2/issueLinkType -H 'X-Mock-Error: uniform' -H 'X-Mock-Uniform: [1]'
t err.chunked 500 'h["transfer-encoding"] == "chunked" and j["status"] == 500' \
    GET /v2/issueLinkType -H 'X-Mock-Error: chunked'
t err.gzip 500 'h["content-encoding"] == "gzip" and json.loads(gzip.decompress(b))["status"] == 500' \
    GET /v2/issueLinkType -H 'X-Mock-Error: gzip'
t err.invalidjson 500 'j is None and b.startswith(b"{")' \
    GET /v2/issueLinkType -H 'X-Mock-Error: invalidjson'
t err.bigbody 500 'len(b) == 65536 and j["status"] == 500' \
    GET /v2/issueLinkType -H 'X-Mock-Error: bigbody'
t err.unknown-kind 400 'j["code"] == "0015"' \
    GET /v2/issueLinkType -H 'X-Mock-Error: nosuch'

# slow: 1.5 s, and meanwhile another request is answered at once.
T0=$(date +%s.%N)
curl -sS --max-time 10 -o "$TMP/slow" -w '%{http_code}' "${JAM[@]}" \
    -H 'X-Mock-Error: slow' -H 'X-Mock-Delay-Ms: 1500' \
    "$BASE/v2/ticket/INST-7902/ia/summary" > "$TMP/slow.status" &
SLOW_PID=$!
sleep 0.2
t err.slow.concurrent 200 - GET /__mock/health
T1=$(date +%s.%N)
wait "$SLOW_PID"
T2=$(date +%s.%N)
if python3 -c "import sys; sys.exit(not ($T1 - $T0 < 1.0 and $T2 - $T0 >= 1.5))" \
   && [ "$(cat "$TMP/slow.status")" = 200 ]; then ok; else
    fail "err.slow: status $(cat "$TMP/slow.status"), other request at +$(python3 -c "print($T1 - $T0)")s, slow one at +$(python3 -c "print($T2 - $T0)")s"
fi
t err.magic.slow 200 'j["operative_summary"]' \
    GET /v2/ticket/ERR-SLOW/ia/summary "${JAM[@]}" -H 'X-Mock-Delay-Ms: 100'

# --- keep-alive: a 204 then a 200 on one connection ---------------------------
OUT=$(curl -sv --max-time 10 -o /dev/null -X PATCH "${JAM[@]}" "${JSON[@]}" -d '{}' \
        "$BASE$O/ticket/INST-7902" --next -o /dev/null "$BASE/__mock/health" 2>&1)
if grep -q 'Re-using existing connection' <<<"$OUT"; then ok; else
    fail "keep-alive: connection not re-used"
fi

# --- introspection ------------------------------------------------------------
t reset.again 200 - GET /__mock/reset
t reset.data 404 - GET $O/ticket/INST-7903 "${JAM[@]}"
t reset.state 200 'j["status"] == "Abierto" and j.get("assignee") is None' \
    GET $O/ticket/INST-7902 "${JAM[@]}"
t recorded.query 200 - GET "/v2/ticket/field/info?api_name=track&x=%20y" "${JAM[@]}"
t recorded.trace 404 - TRACE /v2/nothing
t recorded.body 201 - POST /v2/remotelink "${JAM[@]}" "${JSON[@]}" \
    -H 'X-Dup: a' -H 'X-Dup: b' -d '{"n":"ñ"}'
t introspection.count 200 'j == {"count": 5}' GET /__mock/count
t introspection.last 200 'j["method"] == "POST" and j["path"] == "/v2/remotelink" and j["body"] == "{\"n\":\"ñ\"}" and j["headers"]["x-dup"] == ["a", "b"] and j["headers"]["ticketing-provider"] == "JAM"' \
    GET /__mock/last
t introspection.requests 200 '[r["path"] for r in j] == ["/v2/orgs/yoigo/ticket/INST-7903", "/v2/orgs/yoigo/ticket/INST-7902", "/v2/ticket/field/info?api_name=track&x=%20y", "/v2/nothing", "/v2/remotelink"] and j[3]["method"] == "TRACE" and j[0]["method"] == "GET" and j[0]["body"] == "" and j[0]["headers"]["ticketing-provider"] == "JAM"' \
    GET /__mock/requests
t introspection.not-recorded 200 'j == {"count": 5}' GET /__mock/count

# --- X-Mock-Header: any response header, the mock's own Date replaced -------
t mock-header 200 'h.get("age") == "100" and h.get("expires") == "0" and h.get("date") == "Sun, 06 Dec 2026 03:00:00 GMT" and j[0]["name"] == "Blocks"' \
    GET /v2/issueLinkType "${JAM[@]}" -H 'X-Mock-Header: Age: 100' \
    -H 'X-Mock-Header: Expires: 0' \
    -H 'X-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT'
t mock-header.none 200 '"age" not in h and "date" in h' \
    GET /v2/issueLinkType "${JAM[@]}"

# --- the stand-in IdP: key sets by name, fetches counted -------------------------
t idp.none 404 "$UNIFORM_404" GET /idp/k1/jwks
t idp.set 200 'j == {"jwks": "k1", "status": 200, "delay_ms": 0}' \
    POST /__mock/jwks/k1 -d '{"keys": []}'
t idp.get 200 'b == b"{\"keys\": []}" and h["content-type"] == "application/json"' \
    GET /idp/k1/jwks
t idp.method 405 - POST /idp/k1/jwks
t idp.down 200 'j["status"] == 503' \
    POST /__mock/jwks/k1 -H 'X-Mock-Status: 503' -d 'down'
t idp.get.down 503 'b == b"down"' GET /idp/k1/jwks
t idp.count 200 'j == {"fetches": 4}' GET /__mock/jwks/k1
t idp.count.other 200 'j == {"fetches": 0}' GET /__mock/jwks/k2
t idp.reset 200 - POST /__mock/reset
t idp.reset.count 200 'j == {"fetches": 0}' GET /__mock/jwks/k1
t idp.reset.none 404 - GET /idp/k1/jwks

# --- SIGTERM: clean exit, pidfile removed ----------------------------------------
kill -TERM "$MOCK_PID"
for _ in $(seq 50); do kill -0 "$MOCK_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$MOCK_PID" 2>/dev/null; then
    fail "mock still running after SIGTERM"
else
    wait "$MOCK_PID"; RC=$?
    MOCK_PID=
    if [ "$RC" = 0 ] && [ ! -e "$PIDFILE" ]; then ok; else
        fail "SIGTERM: exit code $RC, pidfile $( [ -e "$PIDFILE" ] && echo left || echo removed)"
    fi
fi

echo "selftest: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
