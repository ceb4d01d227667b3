#!/usr/bin/env bash
# The API reference's curl examples, run against a running demo.
#
#   scripts/reference-examples.sh [GATEWAY_URL [MOCK_URL]]
#   scripts/reference-examples.sh --print
#
# GATEWAY_URL defaults to http://127.0.0.1:8080 (`make demo`), MOCK_URL to
# http://127.0.0.1:8081 (the demo's mock API); TOKEN (environment) to a
# token from scripts/token.sh (the demo's keys, TICKETING_DEMO_DIR).
#
# The reference's examples (../shared/spec/ticketing-api-v2.txt, one per
# operation) are templates: `:ticketId`, `ticketing-provider: string`,
# `{access-token}`. Part 1 sends the 27 as written (the host swapped for
# the demo's and a demo token, the placeholders left in): the gateway
# refuses each with 400. Part 2 sends them with the placeholders filled with
# data the mock holds (docs/operations.md lists the commands) and checks
# each status. The mock's data is reset first (POST MOCK_URL/__mock/reset),
# so that ids are the seed's and a second run answers as the first.
#
# Output: "ok N - ..." / "not ok N - ... # BODY" lines (BODY: the start of
# the answer); exit status 1 if any check failed. --print prints part 2 as curl commands instead.
set -euo pipefail

print=0
if [ "${1:-}" = --print ]; then
    print=1
    shift
fi
base=${1:-http://127.0.0.1:8080}
mock=${2:-http://127.0.0.1:8081}
top=$(cd "$(dirname "$0")/.." && pwd)

n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$print" = 1 ]; then
    TOKEN='$TOKEN'
else
    if [ -z "${TOKEN:-}" ]; then
        TOKEN=$("$top/scripts/token.sh" RS256 3600 '' 2>/dev/null)
    fi
    curl -sf --max-time 10 -X POST "$mock/__mock/reset" > /dev/null \
        || { echo "not ok 1 - the mock at $mock answers /__mock/reset"; \
             exit 1; }
fi

# req EXPECTED NAME METHOD PATH [PROVIDER [BODY]]: one request, its status
# checked. PROVIDER "-" leaves the header out; BODY is sent with
# Content-Type: application/json.
req() {
    local want=$1 name=$2 method=$3 path=$4 provider=${5:-JAM} body=${6-}
    local args=(-s --max-time 10 -o "$tmp/body" -w '%{http_code}'
                -X "$method" "$base$path"
                -H "Authorization: Bearer $TOKEN"
                -H 'Accept: application/json')
    if [ "$provider" != - ]; then
        args+=(-H "ticketing-provider: $provider")
    fi
    if [ -n "$body" ]; then
        args+=(-H 'Content-Type: application/json' --data-raw "$body")
    fi
    if [ "$print" = 1 ]; then
        printf '# %s: %s\ncurl -s -i -X %s "$GW%s" \\\n' \
            "$name" "$want" "$method" "$path"
        printf '     -H "Authorization: Bearer $TOKEN" -H '"'"'ticketing-provider: %s'"'"'' \
            "$provider"
        if [ -n "$body" ]; then
            printf ' \\\n     -H '"'"'Content-Type: application/json'"'"' --data-raw '"'"'%s'"'"'' \
                "$body"
        fi
        printf '\n'
        return
    fi
    local got
    got=$(curl "${args[@]}" || true)
    n=$((n + 1))
    if [ "$got" = "$want" ]; then
        echo "ok $n - $name: $method $path -> $got"
    else
        echo "not ok $n - $name: $method $path -> $got, expected $want" \
             "# $(head -c 300 "$tmp/body" 2>/dev/null)"
        failed=1
    fi
}

# the reference's bodies, as printed there (a few placeholders filled)
create='{"key":"INST-7902","project":"INST","ticketType":"Incidencia","description":"Cita - Cliente solicita contacto en fecha concreta - Y28257924","summary":"Cita - Y28257924","customFields":{"segment":"Residencial","brand":"Yoigo","category":"Cita","subcategory":"Cliente solicita contacto en fecha concreta","work_order_id":"Y28257924"}}'
search='{"filters":{"project":"MAS","issuetype":{"$in":["Avería (FTTH)","Avería (xDSL)"]},"status":{"$notIn":["Resolved","Descartado","CLOSE"]},"massiveFaults":{"$isNotEmpty":""}},"orderby":{"fields":["status desc"]},"startAt":0,"maxResults":100}'
transition='{"transitionId":111,"customFields":{"external_system_name":"Orange","external_system_info":"Prueba de escalado externo via API de robot","external_system_category":"Instalación"}}'
assign='{"assignee":"admin.micro"}'
comment='{"ticketId":"INST-7902","author":"javier.fernandezh@masmovil.com","body":"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat."}'
# the reference's data ends in "..." (cut short): not base64
attachment_ref='{"name":"MYSIM_3847484.pdf","data":"/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAkGBxITEhUSEhMVFhUXGBcVFxUVFRUVF...","mimeType":"image/jpeg"}'
attachment='{"name":"MYSIM_3847484.pdf","data":"/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAkGBxITEhUSEhMVFhUXGBcVFxUVFRUV","mimeType":"image/jpeg"}'
issuelink_ref='{"id":"string","type":{"name":"string"},"inwardIssue":{"key":"string"},"outwardIssue":{"key":"string"}}'
issuelink='{"type":{"name":"Relates"},"inwardIssue":{"key":"INST-7902"},"outwardIssue":{"key":"MAS-1201"}}'
grid='[{"rowId":"row_94ba7042-c49b-4f53-971b-44549b9c08a0","columns":{"key":"test"}}]'

# ------------------------------------------------ 1. as the reference has them
if [ "$print" = 0 ]; then
    t=:ticketId a=:attachmentId l=:issueLinkId s=string
    req 400 "as written: ticket.create" POST /v2/orgs/yoigo/ticket $s "$create"
    req 400 "as written: ticket.get" GET /v2/orgs/yoigo/ticket/$t $s
    req 400 "as written: ticket.update" PATCH /v2/orgs/yoigo/ticket/$t $s "$create"
    req 400 "as written: ticket.searchJql" GET '/v2/orgs/yoigo/search/ticket?jql=string' $s
    req 400 "as written: ticket.search" POST /v2/orgs/yoigo/search/ticket $s "$search"
    req 400 "as written: ticket.searchByTerritoryOwner" GET /v2/orgs/yoigo/searchByTerritoryOwner $s
    req 400 "as written: ticket.searchByIDParams" GET '/v2/orgs/yoigo/searchByIDParams?customer_id=12345&work_order_id=WO123456&line=678900000&document_id=12345678X' $s
    req 400 "as written: ticket.transitions" GET /v2/orgs/yoigo/ticket/$t/transitions $s
    req 400 "as written: ticket.transition" POST /v2/orgs/yoigo/ticket/$t/transitions $s "$transition"
    req 400 "as written: ticket.assign" PUT /v2/ticket/$t/assignee $s "$assign"
    req 400 "as written: metadata.createProperties" GET '/v2/ticket/metadata/create/properties?projectKey=string&ticketType=string' $s
    req 400 "as written: metadata.updateProperties" GET /v2/ticket/$t/metadata/update/properties $s
    req 400 "as written: metadata.types" GET /v2/ticket/metadata/types $s
    req 400 "as written: metadata.fieldInfo" GET '/v2/ticket/field/info?api_name=track&customfield_id=customfield_12800&jira_label=Huella' $s
    req 400 "as written: comment.create" POST /v2/ticket/$t/comment $s "$comment"
    req 400 "as written: attachment.create" POST /v2/ticket/$t/attachment $s "$attachment_ref"
    req 400 "as written: attachment.get" GET /v2/ticket/$t/attachment/$a $s
    req 400 "as written: attachment.delete" DELETE /v2/attachment/$a $s
    req 400 "as written: issueLink.create" POST /v2/issueLink $s "$issuelink_ref"
    req 400 "as written: issueLink.get" GET /v2/issueLink/$l $s
    req 400 "as written: issueLink.delete" DELETE /v2/issueLink/$l $s
    req 400 "as written: issueLinkType.list" GET /v2/issueLinkType $s
    req 400 "as written: issueLinkType.get" GET /v2/issueLinkType/$l $s
    req 400 "as written: grid.update" PUT "/v2/ticket/$t/grid?customFieldName=workorder_index" $s "$grid"
    req 400 "as written: ia.summary" GET /v2/ticket/$t/ia/summary $s
    req 400 "as written: ia.duration" GET /v2/ticket/$t/ia/duration $s
    req 400 "as written: remotelink.create" POST /v2/remotelink $s
fi

# -------------------------------------- 2. the placeholders filled (the seed)
# ticket INST-7902 (Abierto), MAS-1201, attachment 24819, issue link 10000;
# created by the requests below: INST-7903, attachment 24820, link 10001
req 201 "1 ticket.create" POST /v2/orgs/yoigo/ticket JAM "$create"
req 200 "2 ticket.get" GET /v2/orgs/yoigo/ticket/INST-7902
req 204 "3 ticket.update" PATCH /v2/orgs/yoigo/ticket/INST-7902 JAM "$create"
req 200 "4 ticket.searchJql" GET '/v2/orgs/yoigo/search/ticket?jql=project%20%3D%20INST'
req 200 "5 ticket.search" POST /v2/orgs/yoigo/search/ticket JAM "$search"
req 200 "6 ticket.searchByTerritoryOwner" GET /v2/orgs/yoigo/searchByTerritoryOwner
req 200 "7 ticket.searchByIDParams" GET '/v2/orgs/yoigo/searchByIDParams?customer_id=12345&work_order_id=WO123456&line=678900000&document_id=12345678X'
req 200 "8 ticket.transitions" GET /v2/orgs/yoigo/ticket/INST-7902/transitions
req 204 "9 ticket.transition" POST /v2/orgs/yoigo/ticket/INST-7902/transitions JAM "$transition"
req 204 "10 ticket.assign" PUT /v2/ticket/INST-7902/assignee JAM "$assign"
req 200 "11 metadata.createProperties" GET '/v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia'
req 200 "12 metadata.updateProperties" GET /v2/ticket/INST-7902/metadata/update/properties
req 200 "13 metadata.types" GET /v2/ticket/metadata/types
req 400 "14 metadata.fieldInfo as written (three selectors; the rule says one)" GET '/v2/ticket/field/info?api_name=track&customfield_id=customfield_12800&jira_label=Huella'
req 200 "14 metadata.fieldInfo, one selector" GET '/v2/ticket/field/info?api_name=track'
req 201 "15 comment.create" POST /v2/ticket/INST-7902/comment JAM "$comment"
req 400 "16 attachment.create with the reference's cut data" POST /v2/ticket/INST-7902/attachment JAM "$attachment_ref"
req 201 "16 attachment.create" POST /v2/ticket/INST-7902/attachment JAM "$attachment"
req 200 "17 attachment.get" GET /v2/ticket/INST-7902/attachment/24819
req 204 "18 attachment.delete" DELETE /v2/attachment/24820
req 201 "19 issueLink.create" POST /v2/issueLink JAM "$issuelink"
req 200 "20 issueLink.get" GET /v2/issueLink/10000
req 204 "21 issueLink.delete" DELETE /v2/issueLink/10001
req 200 "22 issueLinkType.list" GET /v2/issueLinkType
req 200 "23 issueLinkType.get" GET /v2/issueLinkType/10000
req 204 "24 grid.update" PUT '/v2/ticket/INST-7902/grid?customFieldName=workorder_index' JAM "$grid"
req 200 "25 ia.summary" GET /v2/ticket/INST-7902/ia/summary
req 200 "26 ia.duration" GET /v2/ticket/INST-7902/ia/duration
req 201 "27 remotelink.create (no body, as documented)" POST /v2/remotelink

exit "$failed"
