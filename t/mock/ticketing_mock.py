#!/usr/bin/env python3
"""Mock "Ticketing API v2" upstream for the ngx_ticketing_module test suite.

A test fixture and the backend of `make demo`; never part of the module.
Python 3 standard library only.  See t/mock/README.md for the full contract:
the 27 catalogue operations, per-provider data, error injection
(X-Mock-Error, magic ticket ids ERR-<KIND>), the /__mock/ introspection
endpoints and the key sets of a stand-in identity provider (/idp/).

    python3 t/mock/ticketing_mock.py --host 127.0.0.1 --port N \
        [--pidfile FILE] [--quiet]
"""

import argparse
import base64
import binascii
import copy
import datetime
import gzip
import http
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote


PROVIDERS = ("JAM", "JCC", "TGJ", "JNEXT")

# Base URL the real upstream puts in attachment "self"/"content" links
# (taken from the reference).  A constant, so responses never reveal the
# mock's own address.
ATTACHMENT_BASE = ("https://mas-ticketing-sta.dev-01.k8s.masmovil.com"
                   "/mas-ticketing-api")

MAX_BODY = 16 * 1024 * 1024

# A key set of the stand-in identity provider: GET /idp/<name>/jwks
IDP_NAME = r"[A-Za-z0-9_-]{1,64}"
IDP_JWKS_PATH = re.compile(r"^/idp/(%s)/jwks$" % IDP_NAME)
IDP_CONTROL_PATH = re.compile(r"^/__mock/jwks/(%s)$" % IDP_NAME)


# ---------------------------------------------------------------------------
# Uniform error schema
# ---------------------------------------------------------------------------

# The four codes the upstream documents, kept exactly.
UNIFORM_CODES = {
    400: ("0015", "BAD_REQUEST", "Bad Request"),
    401: ("0003", "UNAUTHORIZED", "Unauthorized"),
    404: ("0004", "NOT_FOUND", "Not found"),
    500: ("0002", "UNEXPECTED", "Unexpected Error"),
}


def uniform_body(status, detail=None):
    """Uniform error object.  Statuses the docs give no code for get a
    mock-only code "9<status>" (e.g. 405 -> "9405") so that a test can tell
    them apart from the gateway's own codes."""
    if status in UNIFORM_CODES:
        code, name, message = UNIFORM_CODES[status]
    else:
        try:
            st = http.HTTPStatus(status)
            name, message = st.name, st.phrase
        except ValueError:
            name, message = "UNKNOWN", "Unknown"
        code = "9%03d" % status
    return {"code": code, "status": name, "message": message,
            "detailMsg": detail}


class ApiError(Exception):
    """Raised by operation handlers; rendered as a uniform error body."""

    def __init__(self, status, detail=None, headers=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def not_found(detail="Resource not found"):
    return ApiError(404, detail)


def bad_request(detail):
    return ApiError(400, detail)


# ---------------------------------------------------------------------------
# Static reference data (identical for every provider)
# ---------------------------------------------------------------------------

# Workflow: current status -> allowed transitions.  Transition 41/21 are the
# reference's example, 111 is the id used in its transition request example.
TRANSITIONS = {
    11: {"id": 11, "name": "Asignar", "status": "Asignado"},
    21: {"id": 21, "name": "Resolver", "status": "RESUELTO"},
    31: {"id": 31, "name": "Cerrar", "status": "CERRADO"},
    41: {"id": 41, "name": "Reasignar", "status": "Asignado"},
    51: {"id": 51, "name": "Reabrir", "status": "Abierto"},
    111: {"id": 111, "name": "Escalar a externo",
          "status": "Escalado externo"},
}
WORKFLOW = {
    "Abierto": [11, 21, 111],
    "Asignado": [41, 21, 111],
    "Escalado externo": [41, 21],
    "RESUELTO": [31, 51],
    "CERRADO": [51],
}

TICKET_TYPES = [
    {"projectKey": "EKT", "name": "Euskaltel", "issuetypes": [
        {"name": "Aviso de llamada perdida",
         "description": "Incidencia-Servicios"},
        {"name": "Contestador", "description": "Incidencia-Servicios"},
        {"name": "No salta el aviso de saldo",
         "description": "Incidencia-Servicios"}]},
    {"projectKey": "MM", "name": "MásMóvil Customer Care", "issuetypes": [
        {"name": "Problemas TV", "description": "Incidencia"},
        {"name": "Desacuerdo con la cuota de TV", "description": "Incidencia"},
        {"name": "Bloqueo por IMEI-Tarea", "description": "Tarea-Móvil"}]},
    {"projectKey": "INST", "name": "Instalaciones", "issuetypes": [
        {"name": "Incidencia", "description": "Incidencia"}]},
    {"projectKey": "MAS", "name": "MásMóvil Averías", "issuetypes": [
        {"name": "Avería (FTTH)", "description": "Avería"},
        {"name": "Avería (xDSL)", "description": "Avería"}]},
]

CREATE_PROPERTIES = {
    "summary": {"required": True, "name": "Resumen"},
    "subscriptionNumber": {"required": True, "name": "Suscripción"},
    "icc": {"required": False, "name": "ICC"},
    "contactEmail": {"required": False, "name": "Email del Cliente"},
}

UPDATE_PROPERTIES = {
    "description": {"name": "Descripción"},
    "customerPostalCode": {"name": "Código Postal"},
    "customerSegment": {"name": "Segmento Cliente", "allowedValues": [
        {"value": "EMPRESA"}, {"value": "RESIDENCIAL"},
        {"value": "HORECA"}, {"value": "AUTONOMO"}]},
}

# The metadata names in English, for Accept-Language: en.
ENGLISH = {
    "Resumen": "Summary",
    "Suscripción": "Subscription",
    "Email del Cliente": "Customer Email",
    "Descripción": "Description",
    "Código Postal": "Postal Code",
    "Segmento Cliente": "Customer Segment",
    "Instalaciones": "Installations",
    "Incidencia": "Incident",
    "Contestador": "Answering Machine",
    "Problemas TV": "TV Problems",
    "Avería (FTTH)": "Fault (FTTH)",
}

# api_name <-> customfield_id <-> jira_label.  Also used by the searches so
# that a filter may name a field by its Jira label or customfield id.
FIELD_INFO = [
    ("track", "customfield_12800", "Huella"),
    ("work_order_id", "customfield_10500", "Orden de Trabajo"),
    ("customerDocument", "customfield_10201", "Documento Cliente"),
    ("customer_id", "customfield_10202", "ID Cliente"),
    ("line", "customfield_10203", "Línea"),
    ("segment", "customfield_10300", "Segmento"),
    ("massiveFaults", "customfield_11000", "Averías Masivas"),
    ("workorder_index", "customfield_12900", "Índice Órdenes de Trabajo"),
    ("estimated_resolution_date", "customfield_13100",
     "Fecha Estimada de Resolución"),
    ("territory_owner", "customfield_13200", "Territorio Propietario"),
]

ISSUE_LINK_TYPES = [
    {"id": "10000", "name": "Blocks",
     "inward": "is blocked by", "outward": "blocks"},
    {"id": "10001", "name": "Cloners",
     "inward": "is cloned by", "outward": "clones"},
    {"id": "10002", "name": "Duplicate",
     "inward": "is duplicated by", "outward": "duplicates"},
    {"id": "10003", "name": "Relates",
     "inward": "relates to", "outward": "relates to"},
]

IA_SUMMARY = {
    "operative_summary": (
        "El cliente reporta fallo total de servicio FTTH desde el 12/02. "
        "Se ha realizado diagnóstico remoto sin resultado. Técnico "
        "desplazado el 14/02, detectó avería en la ONU. Pendiente "
        "reposición de equipo."),
    "message_for_client": (
        "Estamos trabajando en la resolución de su incidencia. Un técnico "
        "ha visitado su domicilio y hemos identificado el problema. "
        "Procederemos a la sustitución del equipo en los próximos días."),
}

# Ticket key of the ticket only this provider has (proves separation).
PROVIDER_ONLY_KEY = {"JAM": "AMA-101", "JCC": "CC-101",
                     "TGJ": "TGJ-101", "JNEXT": "NEXT-101"}

SEED_CREATED = "2026-02-12T09:20:22.556+0000"


def now_stamp():
    """Timestamp in the upstream's format: 2022-01-13T09:20:22.556+0000."""
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+0000" % (
        t.microsecond // 1000)


def parse_stamp(s):
    try:
        return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z")
    except (TypeError, ValueError):
        return datetime.datetime.now(datetime.timezone.utc)


# ---------------------------------------------------------------------------
# In-memory data, one ProviderData per ticketing tool
# ---------------------------------------------------------------------------

def new_ticket(tid, key, fields, created=None):
    t = {
        "id": tid,
        "key": key,
        "project": key.rsplit("-", 1)[0],
        "ticketType": "Incidencia",
        "status": "Abierto",
        "summary": "",
        "description": "",
        "components": [],
        "assignee": None,
        "created": created or now_stamp(),
        "customFields": {},
    }
    t.update(copy.deepcopy(fields))
    # Private, not part of the ticket representation.
    t["_comments"] = []
    t["_attachments"] = []
    return t


class ProviderData:
    """Everything one ticketing tool holds.  Guarded by Store.lock."""

    def __init__(self, provider):
        self.provider = provider
        self.tickets = {}          # id -> ticket
        self.attachments = {}      # attachment id -> attachment
        self.issue_links = {}      # issue link id -> issue link
        self.remote_links = []
        self.orgs = set()          # orgs seen in /v2/orgs/{org}/...
        self.next_ticket_id = 3641
        self.next_comment_id = 10100
        self.next_attachment_id = 24819
        self.next_issue_link_id = 10000
        self._seed()

    def _seed(self):
        self.add_ticket("INST-7902", {
            "ticketType": "Incidencia",
            "description": "Cita - Cliente solicita contacto en fecha "
                           "concreta - Y28257924",
            "summary": "Cita - Y28257924",
            "components": ["Instalación"],
            "customFields": {
                "segment": "Residencial",
                "brand": "Yoigo",
                "category": "Cita",
                "subcategory": "Cliente solicita contacto en fecha concreta",
                "work_order_id": "Y28257924",
                "customer_id": "12345",
                "line": "678900000",
                "customerDocument": "12345678X",
                "territory_owner": "yoigo-norte",
                "workorder_index": [{
                    "rowId": "row_94ba7042-c49b-4f53-971b-44549b9c08a0",
                    "columns": {"key": "inicial"}}],
            },
        }, created=SEED_CREATED)
        self.add_ticket("MAS-1201", {
            "ticketType": "Avería (FTTH)",
            "status": "Asignado",
            "assignee": "admin.micro",
            "description": "Cliente sin servicio FTTH desde el 12/02",
            "summary": "Avería FTTH - sin servicio",
            "customFields": {
                "segment": "Residencial",
                "brand": "MásMóvil",
                "work_order_id": "WO123456",
                "customer_id": "67890",
                "line": "911223344",
                "customerDocument": "87654321Z",
                "massiveFaults": "MF-2024-001",
                "territory_owner": "masmovil-centro",
            },
        }, created=SEED_CREATED)
        self.add_ticket(PROVIDER_ONLY_KEY[self.provider], {
            "ticketType": "Incidencia",
            "status": "RESUELTO",
            "summary": "Ticket exclusivo de %s" % self.provider,
            "description": "Solo existe en la herramienta %s"
                           % self.provider,
            "customFields": {"brand": "Yoigo"},
        }, created=SEED_CREATED)

        first = self.find_ticket("INST-7902")
        first["_comments"].append({
            "id": self.alloc("next_comment_id"),
            "ticketId": "INST-7902",
            "author": "javier.fernandezh@masmovil.com",
            "body": "Cliente contactado, cita confirmada.",
            "created": SEED_CREATED,
        })
        self.add_attachment(first, "MYSIM_398171.pdf", "application/pdf",
                            base64.b64encode(b"%PDF-1.4 mock\n").decode(),
                            created=SEED_CREATED)
        self.add_issue_link({"type": {"name": "Relates"},
                             "inwardIssue": {"key": "INST-7902"},
                             "outwardIssue": {"key": "MAS-1201"}})

    def alloc(self, counter):
        value = getattr(self, counter)
        setattr(self, counter, value + 1)
        return value

    def add_ticket(self, key, fields, created=None):
        t = new_ticket(self.alloc("next_ticket_id"), key, fields, created)
        self.tickets[t["id"]] = t
        return t

    def next_key(self, project):
        """Keys are <project>-<n>, n one above the project's highest."""
        highest = 0
        for t in self.tickets.values():
            proj, _, n = t["key"].rpartition("-")
            if proj == project and n.isdigit():
                highest = max(highest, int(n))
        return "%s-%d" % (project, highest + 1)

    def find_ticket(self, ref):
        """A ticket by numeric id or by key (keys case-insensitively)."""
        if ref.isdigit():
            return self.tickets.get(int(ref))
        ref = ref.upper()
        for t in self.tickets.values():
            if t["key"] == ref:
                return t
        return None

    def ticket_or_404(self, ref):
        t = self.find_ticket(ref)
        if t is None:
            raise not_found()
        return t

    def add_attachment(self, ticket, name, mime, data, created=None):
        aid = self.alloc("next_attachment_id")
        try:
            size = len(base64.b64decode(data, validate=False))
        except (binascii.Error, ValueError):
            size = len(data) * 3 // 4
        att = {"id": aid, "ticketId": ticket["id"], "filename": name,
               "mimeType": mime, "size": size, "base64": data,
               "created": created or now_stamp()}
        self.attachments[aid] = att
        ticket["_attachments"].append(aid)
        return att

    def add_issue_link(self, body):
        lid = self.alloc("next_issue_link_id")
        link = {"id": str(lid),
                "type": {"name": (body.get("type") or {}).get("name")},
                "inwardIssue": {"key": (body.get("inwardIssue") or {})
                                .get("key")},
                "outwardIssue": {"key": (body.get("outwardIssue") or {})
                                 .get("key")}}
        self.issue_links[lid] = link
        return link


class Store:
    """All providers' data plus the request log, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.providers = {p: ProviderData(p) for p in PROVIDERS}
        self.requests = []
        # name -> (status, body bytes, delay in ms) of GET /idp/<name>/jwks
        self.jwks = {}


# ---------------------------------------------------------------------------
# Ticket representation, field lookup and filtering (shared by searches)
# ---------------------------------------------------------------------------

TOP_FIELDS = ("id", "key", "project", "ticketType", "status", "summary",
              "description", "components", "assignee", "created")
FIELD_ALIASES = {"issuetype": "ticketType", "type": "ticketType",
                 "tickettype": "ticketType", "projectkey": "project"}


def public_ticket(t, pd, with_attachments=False):
    out = {k: copy.deepcopy(v) for k, v in t.items()
           if not k.startswith("_")}
    out["comments"] = copy.deepcopy(t["_comments"])
    if with_attachments:
        out["attachments"] = [
            {k: v for k, v in pd.attachments[a].items() if k != "base64"}
            for a in t["_attachments"]]
    return out


def field_value(t, name):
    """Value of a field named by API name, Jira label or customfield id."""
    lname = name.lower()
    lname = FIELD_ALIASES.get(lname, lname).lower()
    for k in TOP_FIELDS:
        if k.lower() == lname:
            return t.get(k)
    for api, cf_id, label in FIELD_INFO:
        if lname in (cf_id.lower(), label.lower()):
            name = api
            break
    cf = t["customFields"]
    if name in cf:
        return cf[name]
    for k, v in cf.items():
        if k.lower() == name.lower():
            return v
    return None


def is_empty(v):
    return v is None or v == "" or v == [] or v == {}


def as_number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def compare(v, arg):
    """-1/0/1, numerically when both sides are numbers, else as strings."""
    a, b = as_number(v), as_number(arg)
    if a is None or b is None:
        a, b = str(v), str(arg)
    return (a > b) - (a < b)


def values_of(v):
    """A field's values as strings: list fields match on any element."""
    if isinstance(v, list):
        return [str(x) for x in v]
    return [] if v is None else [str(v)]


def match_condition(v, cond):
    """One filter condition as in the POST search body: a scalar (equality),
    a list ($in) or an object of operators.  Unknown operators are ignored:
    validation is the gateway's job, the mock stays lenient."""
    if isinstance(cond, list):
        cond = {"$in": cond}
    if not isinstance(cond, dict):
        return str(cond) in values_of(v)
    for op, arg in cond.items():
        vals = values_of(v)
        if op == "$like":
            needle = str(arg).strip("%*").lower()
            ok = any(needle in x.lower() for x in vals)
        elif op == "$notLike":
            needle = str(arg).strip("%*").lower()
            ok = not any(needle in x.lower() for x in vals)
        elif op == "$eq":
            ok = str(arg) in vals
        elif op == "$ne":
            ok = str(arg) not in vals
        elif op == "$in":
            ok = any(x in [str(a) for a in arg] for x in vals)
        elif op == "$notIn":
            ok = not any(x in [str(a) for a in arg] for x in vals)
        elif op == "$isEmpty":
            ok = is_empty(v)
        elif op == "$isNotEmpty":
            ok = not is_empty(v)
        elif op in ("$greaterThan", "$greaterThanEquals",
                    "$lessThan", "$lessThanEquals"):
            if v is None:
                ok = False
            else:
                c = compare(v, arg)
                ok = {"$greaterThan": c > 0, "$greaterThanEquals": c >= 0,
                      "$lessThan": c < 0, "$lessThanEquals": c <= 0}[op]
        else:
            ok = True
        if not ok:
            return False
    return True


def filter_tickets(tickets, conditions):
    """conditions: list of (field name, condition); all must hold."""
    return [t for t in tickets
            if all(match_condition(field_value(t, f), c)
                   for f, c in conditions)]


def order_tickets(tickets, specs):
    """specs: ["status desc", "key"], applied as Jira does (first wins)."""
    tickets = list(tickets)
    for spec in reversed(specs or []):
        parts = str(spec).split()
        if not parts:
            continue
        desc = False
        if len(parts) > 1 and parts[-1].lower() in ("asc", "desc"):
            desc = parts.pop().lower() == "desc"
        name = " ".join(parts)

        def sort_key(t, name=name):
            if name.lower() == "key":       # INST-10 after INST-9
                proj, _, n = t["key"].rpartition("-")
                return (False, 0, (proj, int(n) if n.isdigit() else 0))
            v = field_value(t, name)
            n = as_number(v)
            return (v is None, 0 if n is not None else 1,
                    n if n is not None else str(v))
        tickets.sort(key=sort_key, reverse=desc)
    return tickets


def project_fields(ticket, fields):
    """Keep only the requested fields (plus id and key)."""
    if not fields:
        return ticket
    out = {"id": ticket["id"], "key": ticket["key"]}
    for f in fields:
        if f in ticket:
            out[f] = ticket[f]
        elif f in ticket.get("customFields", {}):
            out.setdefault("customFields", {})[f] = ticket["customFields"][f]
    return out


def int_param(value, default):
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def page(tickets, pd, start_at, max_results):
    """The documented search page {startAt,maxResults,total,tickets[]}."""
    return {"startAt": start_at, "maxResults": max_results,
            "total": len(tickets),
            "tickets": [public_ticket(t, pd) for t in
                        tickets[start_at:start_at + max_results]]}


JQL_FIELD = r'(?P<f>"[^"]+"|[\w.]+)'
JQL_VALUE = r'(?P<v>"[^"]*"|\'[^\']*\'|\S+)'
JQL_CLAUSES = [
    (re.compile(JQL_FIELD + r'\s+(?P<op>not\s+in|in)\s*\((?P<v>[^)]*)\)$',
                re.I), "in"),
    (re.compile(JQL_FIELD + r'\s+is\s+(?P<op>not\s+)?empty$', re.I),
     "empty"),
    (re.compile(JQL_FIELD + r'\s*(?P<op>!=|!~|=|~)\s*' + JQL_VALUE + '$'),
     "cmp"),
]


def unquote_jql(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    return s


def parse_jql(jql):
    """A tiny JQL subset: clauses joined by AND (=, !=, ~, !~, in, not in,
    is [not] empty) and an optional ORDER BY.  A clause the mock does not
    understand (OR, functions...) is ignored, i.e. matches everything."""
    conditions = []
    order = []
    m = re.search(r'\s*\border\s+by\b(.*)$', jql, re.I | re.S)
    if m:
        order = [o.strip() for o in m.group(1).split(",") if o.strip()]
        jql = jql[:m.start()]
    for clause in re.split(r'\s+and\s+', jql.strip(), flags=re.I):
        clause = clause.strip()
        for rx, kind in JQL_CLAUSES:
            m = rx.match(clause)
            if not m:
                continue
            f = unquote_jql(m.group("f"))
            op = re.sub(r'\s+', ' ', (m.group("op") or "").lower()).strip()
            if kind == "in":
                vals = [unquote_jql(v) for v in m.group("v").split(",")
                        if v.strip()]
                conditions.append((f, {"$notIn" if op == "not in"
                                       else "$in": vals}))
            elif kind == "empty":
                conditions.append((f, {"$isNotEmpty" if op == "not"
                                       else "$isEmpty": ""}))
            else:
                v = unquote_jql(m.group("v"))
                conditions.append((f, {"=": {"$eq": v}, "!=": {"$ne": v},
                                       "~": {"$like": v},
                                       "!~": {"$notLike": v}}[op]))
            break
    return conditions, order


# ---------------------------------------------------------------------------
# Operation handlers: f(req, pd) -> (status, body[, headers])
# req is the Request below, pd the caller's ProviderData.  They run with the
# store lock held.
# ---------------------------------------------------------------------------

def body_object(req):
    """The JSON body as an object ({} when absent); lenient otherwise."""
    return req.json if isinstance(req.json, dict) else {}


def op_ticket_create(req, pd):
    b = body_object(req)
    project = str(b.get("project") or "INST")
    fields = {k: b[k] for k in ("ticketType", "summary", "description",
                                "components", "assignee") if k in b}
    if isinstance(b.get("customFields"), dict):
        fields["customFields"] = b["customFields"]
    fields["_org"] = req.params["org"]
    t = pd.add_ticket(pd.next_key(project), fields)
    return 201, {"id": t["id"], "key": t["key"]}, {
        "Location": "/v2/orgs/%s/ticket/%s" % (req.params["org"], t["key"])}


def op_ticket_get(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    out = public_ticket(t, pd, with_attachments="attachment" in req.query)
    # "Filter for ticket response body": ?fields=a,b keeps only those.
    fields = [f for v in req.query.get("fields", []) for f in v.split(",")
              if f]
    return 200, project_fields(out, fields)


def op_ticket_update(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    b = body_object(req)
    for k in ("project", "ticketType", "summary", "description",
              "components", "assignee", "status"):
        if k in b:
            t[k] = copy.deepcopy(b[k])
    if isinstance(b.get("customFields"), dict):
        t["customFields"].update(copy.deepcopy(b["customFields"]))
    return 204, None


def search_page_params(req):
    return (int_param(req.q("startAt"), 0), int_param(req.q("maxResults"), 50))


def op_ticket_search_jql(req, pd):
    conditions, order = parse_jql(req.q("jql") or "")
    found = order_tickets(filter_tickets(pd.tickets.values(), conditions),
                          order)
    return 200, page(found, pd, *search_page_params(req))


def op_ticket_search(req, pd):
    b = body_object(req)
    filters = b.get("filters") or {}
    # The reference's example sends an object, its schema says object[]:
    # accept both (a list is ANDed).
    if isinstance(filters, dict):
        filters = [filters]
    conditions = [(f, c) for obj in filters if isinstance(obj, dict)
                  for f, c in obj.items()]
    order = (b.get("orderby") or {}).get("fields") or []
    found = order_tickets(filter_tickets(pd.tickets.values(), conditions),
                          order)
    start_at = int_param(b.get("startAt"), 0)
    max_results = int_param(b.get("maxResults"), 50)
    fields = b.get("fields") if isinstance(b.get("fields"), list) else None
    return 200, [project_fields(public_ticket(t, pd), fields)
                 for t in found[start_at:start_at + max_results]]


def op_search_territory_owner(req, pd):
    # The owner comes from the caller's identity upstream; the mock returns
    # every ticket that has one, narrowed by ?territory_owner= if given.
    owner = req.q("territory_owner") or req.q("territoryOwner")
    cond = {"$eq": owner} if owner else {"$isNotEmpty": ""}
    found = filter_tickets(pd.tickets.values(), [("territory_owner", cond)])
    return 200, page(found, pd, *search_page_params(req))


ID_PARAMS = {"customer_id": ("customer_id", "customerId"),
             "work_order_id": ("work_order_id", "workOrderId"),
             "line": ("line",),
             "document_id": ("document_id", "customerDocument")}


def op_search_by_id_params(req, pd):
    given = {p: req.q(p) for p in ID_PARAMS if req.q(p)}
    if not given:
        raise bad_request("At least one of customer_id, work_order_id, "
                          "line or document_id must be provided")

    def matches(t):
        cf = t["customFields"]
        return all(any(str(cf.get(n)) == v for n in ID_PARAMS[p])
                   for p, v in given.items())
    found = [t for t in pd.tickets.values() if matches(t)]
    return 200, page(found, pd, *search_page_params(req))


def op_ticket_transitions(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    allowed = [TRANSITIONS[i] for i in WORKFLOW.get(t["status"], [])]
    return 200, [allowed]


def op_ticket_transition(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    b = body_object(req)
    allowed = [TRANSITIONS[i] for i in WORKFLOW.get(t["status"], [])]
    tid, status = b.get("transitionId"), b.get("status")
    if tid is None and not status:
        raise bad_request("transitionId or status is required")
    chosen = None
    for tr in allowed:
        if tid is not None and str(tr["id"]) == str(tid):
            chosen = tr
        elif tid is None and str(status).lower() in (
                tr["status"].lower(), tr["name"].lower()):
            chosen = tr
    if chosen is None:
        raise bad_request("Transition %s is not valid for status %s"
                          % (tid if tid is not None else status, t["status"]))
    t["status"] = chosen["status"]
    if isinstance(b.get("customFields"), dict):
        t["customFields"].update(copy.deepcopy(b["customFields"]))
    return 204, None


def op_ticket_assign(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    t["assignee"] = body_object(req).get("assignee")
    return 204, None


def op_metadata_create_properties(req, pd):
    return 200, CREATE_PROPERTIES


def op_metadata_update_properties(req, pd):
    pd.ticket_or_404(req.params["ticketId"])
    return 200, UPDATE_PROPERTIES


def op_metadata_types(req, pd):
    return 200, [TICKET_TYPES]


def op_field_info(req, pd):
    # Lenient about "only one": the first given of the three is used.
    for i, param in enumerate(("api_name", "customfield_id", "jira_label")):
        value = req.q(param)
        if value:
            for entry in FIELD_INFO:
                if entry[i].lower() == value.lower():
                    return 200, {"jira_label": entry[2],
                                 "api_name": entry[0]}
            raise not_found()
    raise bad_request("One of api_name, customfield_id or jira_label "
                      "is required")


def op_comment_create(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    b = body_object(req)
    comment = {"id": pd.alloc("next_comment_id"), "ticketId": t["key"],
               "author": b.get("author") or "admin.micro",
               "body": b.get("body") or "", "created": now_stamp()}
    t["_comments"].append(comment)
    return 201, {"ticketId": comment["ticketId"],
                 "author": comment["author"], "body": comment["body"]}


def op_attachment_create(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    b = body_object(req)
    att = pd.add_attachment(t, str(b.get("name") or "attachment.bin"),
                            str(b.get("mimeType")
                                or "application/octet-stream"),
                            str(b.get("data") or ""))
    self_url = "%s/ticket/%d/attachment/%d" % (ATTACHMENT_BASE, t["id"],
                                                att["id"])
    return 201, {"self": self_url,
                 "content": self_url + "/" + att["filename"],
                 "filename": att["filename"], "created": att["created"],
                 "mimeType": att["mimeType"], "size": att["size"]}


def op_attachment_get(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    aid = req.params["attachmentId"]
    if not aid.isdigit() or int(aid) not in t["_attachments"]:
        raise not_found()
    att = pd.attachments[int(aid)]
    return 200, {"ticketId": str(t["id"]), "name": att["filename"],
                 "attachmentId": str(att["id"]), "base64": att["base64"]}


def op_attachment_delete(req, pd):
    aid = req.params["attachmentId"]
    att = pd.attachments.pop(int(aid), None) if aid.isdigit() else None
    if att is None:
        raise not_found()
    t = pd.tickets.get(att["ticketId"])
    if t is not None:
        t["_attachments"].remove(att["id"])
    return 204, None


def op_issue_link_create(req, pd):
    link = pd.add_issue_link(body_object(req))
    # The documented body carries no id; the Location header does, for tests.
    return 201, {"message": "issue link created successfully."}, {
        "Location": "/v2/issueLink/" + link["id"]}


def issue_link_or_404(req, pd):
    lid = req.params["issueLinkId"]
    link = pd.issue_links.get(int(lid)) if lid.isdigit() else None
    if link is None:
        raise not_found()
    return link


def op_issue_link_get(req, pd):
    return 200, issue_link_or_404(req, pd)


def op_issue_link_delete(req, pd):
    link = issue_link_or_404(req, pd)
    del pd.issue_links[int(link["id"])]
    return 204, None


def op_issue_link_type_list(req, pd):
    return 200, ISSUE_LINK_TYPES


def op_issue_link_type_get(req, pd):
    # "issue link types for specific issue link": the id is an issue link's
    # (its type is returned); a link type's own id is accepted too.
    lid = req.params["issueLinkId"]
    link = pd.issue_links.get(int(lid)) if lid.isdigit() else None
    for lt in ISSUE_LINK_TYPES:
        if (link is not None and lt["name"] == link["type"]["name"]) or (
                link is None and lt["id"] == lid):
            return 200, [lt]
    if link is not None:
        return 200, []
    raise not_found()


def op_grid_update(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    name = req.q("customFieldName") or "grid"
    rows = req.json if isinstance(req.json, list) else [body_object(req)]
    grid = t["customFields"].setdefault(name, [])
    if not isinstance(grid, list):
        grid = t["customFields"][name] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        cols = row.get("columns") if isinstance(row.get("columns"),
                                                dict) else {}
        for existing in grid:
            if existing.get("rowId") == row.get("rowId"):
                existing.setdefault("columns", {}).update(cols)
                break
        else:
            grid.append({"rowId": row.get("rowId"), "columns": dict(cols)})
    return 204, None


def op_ia_summary(req, pd):
    pd.ticket_or_404(req.params["ticketId"])
    return 200, IA_SUMMARY


def op_ia_duration(req, pd):
    t = pd.ticket_or_404(req.params["ticketId"])
    minutes = round(2880.0 + (t["id"] % 50) * 97.5 + 0.34, 2)
    due = parse_stamp(t["created"]) + datetime.timedelta(minutes=minutes)
    date = due.strftime("%d/%m/%Y %H:%M")
    # The documented side effect: the ticket's custom field is updated.
    t["customFields"]["estimated_resolution_date"] = date
    return 200, {"estimated_resolution_date": date,
                 "estimated_minutes": minutes}


def op_remotelink_create(req, pd):
    pd.remote_links.append(copy.deepcopy(req.json))
    return 201, {"message": "remote issue link created successfully."}


# The catalogue (spec/operations.md): (method, path template,
# operation name, handler).  A {param} matches exactly one segment.
ROUTES = [
    ("POST", "/v2/orgs/{org}/ticket", "ticket.create", op_ticket_create),
    ("GET", "/v2/orgs/{org}/ticket/{ticketId}", "ticket.get",
     op_ticket_get),
    ("PATCH", "/v2/orgs/{org}/ticket/{ticketId}", "ticket.update",
     op_ticket_update),
    ("GET", "/v2/orgs/{org}/search/ticket", "ticket.searchJql",
     op_ticket_search_jql),
    ("POST", "/v2/orgs/{org}/search/ticket", "ticket.search",
     op_ticket_search),
    ("GET", "/v2/orgs/{org}/searchByTerritoryOwner",
     "ticket.searchByTerritoryOwner", op_search_territory_owner),
    ("GET", "/v2/orgs/{org}/searchByIDParams", "ticket.searchByIDParams",
     op_search_by_id_params),
    ("GET", "/v2/orgs/{org}/ticket/{ticketId}/transitions",
     "ticket.transitions", op_ticket_transitions),
    ("POST", "/v2/orgs/{org}/ticket/{ticketId}/transitions",
     "ticket.transition", op_ticket_transition),
    ("PUT", "/v2/ticket/{ticketId}/assignee", "ticket.assign",
     op_ticket_assign),
    ("GET", "/v2/ticket/metadata/create/properties",
     "metadata.createProperties", op_metadata_create_properties),
    ("GET", "/v2/ticket/{ticketId}/metadata/update/properties",
     "metadata.updateProperties", op_metadata_update_properties),
    ("GET", "/v2/ticket/metadata/types", "metadata.types",
     op_metadata_types),
    ("GET", "/v2/ticket/field/info", "metadata.fieldInfo", op_field_info),
    ("POST", "/v2/ticket/{ticketId}/comment", "comment.create",
     op_comment_create),
    ("POST", "/v2/ticket/{ticketId}/attachment", "attachment.create",
     op_attachment_create),
    ("GET", "/v2/ticket/{ticketId}/attachment/{attachmentId}",
     "attachment.get", op_attachment_get),
    ("DELETE", "/v2/attachment/{attachmentId}", "attachment.delete",
     op_attachment_delete),
    ("POST", "/v2/issueLink", "issueLink.create", op_issue_link_create),
    ("GET", "/v2/issueLink/{issueLinkId}", "issueLink.get",
     op_issue_link_get),
    ("DELETE", "/v2/issueLink/{issueLinkId}", "issueLink.delete",
     op_issue_link_delete),
    ("GET", "/v2/issueLinkType", "issueLinkType.list",
     op_issue_link_type_list),
    ("GET", "/v2/issueLinkType/{issueLinkId}", "issueLinkType.get",
     op_issue_link_type_get),
    ("PUT", "/v2/ticket/{ticketId}/grid", "grid.update", op_grid_update),
    ("GET", "/v2/ticket/{ticketId}/ia/summary", "ia.summary",
     op_ia_summary),
    ("GET", "/v2/ticket/{ticketId}/ia/duration", "ia.duration",
     op_ia_duration),
    ("POST", "/v2/remotelink", "remotelink.create", op_remotelink_create),
]


def match_template(template, segments):
    """Params dict if the path segments fit the template, else None."""
    parts = template.strip("/").split("/")
    if len(parts) != len(segments):
        return None
    params = {}
    for part, seg in zip(parts, segments):
        if part.startswith("{"):
            if seg == "":
                return None
            params[part[1:-1]] = seg
        elif part != seg:
            return None
    return params


def route(path):
    """(params, {method: (op name, handler)}) of the most specific matching
    template (most literal segments: /v2/ticket/metadata/types beats
    /v2/ticket/{ticketId}/...), or (None, None) for an unknown path."""
    if not path.startswith("/"):
        return None, None
    segments = [unquote(s) for s in path[1:].split("/")]
    best = None
    for method, template, name, handler in ROUTES:
        params = match_template(template, segments)
        if params is None:
            continue
        literals = template.count("/") - template.count("{")
        if best is None or literals > best[0]:
            best = (literals, template, params)
    if best is None:
        return None, None
    methods = {m: (n, h) for m, t, n, h in ROUTES if t == best[1]}
    return best[2], methods


# ---------------------------------------------------------------------------
# Error injection: X-Mock-Error: <kind> or a magic ticket id ERR-<KIND>
# ---------------------------------------------------------------------------

ERROR_KINDS = ("jira", "spring", "html502", "stacktrace", "empty503", "slow",
               "uniform", "chunked", "gzip", "invalidjson", "bigbody")

# ERR-SLOW has to answer "normally" after the delay: it stands for this
# seeded ticket.
SLOW_TICKET = "INST-7902"

STACKTRACE = """\
java.lang.IllegalStateException: Jira request failed for {path}
\tat com.masmovil.ticketing.jira.JiraClient.execute(JiraClient.java:214)
\tat com.masmovil.ticketing.service.TicketService.getTicket(TicketService.java:87)
\tat com.masmovil.ticketing.web.TicketController.get(TicketController.java:52)
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)
\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)
Caused by: org.springframework.web.client.ResourceAccessException: I/O error on GET request for "http://10.20.30.40:8080/rest/api/2/issue/INST-7902": Connection refused
\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:785)
\tat com.masmovil.ticketing.jira.JiraClient.execute(/opt/mas-ticketing-api/src/main/java/com/masmovil/ticketing/jira/JiraClient.java:209)
Caused by: java.net.ConnectException: Connection refused (10.20.30.40:8080)
\tat java.base/sun.nio.ch.Net.connect0(Native Method)
\t... 42 more
"""

HTML502 = """\
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.18.0 (ticketing-backend-7f9c4d.internal 10.20.30.40)</center>
</body>
</html>
"""


def spring_body(status, path, message):
    try:
        error = http.HTTPStatus(status).phrase
    except ValueError:
        error = "Unknown"
    return {"timestamp": now_stamp()[:-5] + "+00:00", "status": status,
            "error": error, "message": message, "path": path}


def injected_error(kind, status, path):
    """(status, content type, body bytes, mode) of an injected error; mode is
    "plain", "chunked" or "gzip".  status None means the kind's default."""
    def js(obj):
        return json.dumps(obj, ensure_ascii=False).encode()

    if kind == "jira":
        return (status or 400, "application/json;charset=UTF-8", js({
            "errorMessages": ["Issue does not exist or you do not have "
                              "permission to see it."],
            "errors": {"summary": "You must specify a summary of the "
                                  "issue."}}), "plain")
    if kind == "spring":
        return (status or 500, "application/json", js(spring_body(
            status or 500, path, "Jira request failed: timeout after "
            "30000 ms")), "plain")
    if kind == "html502":
        return status or 502, "text/html", HTML502.encode(), "plain"
    if kind == "stacktrace":
        return (status or 500, "text/plain;charset=UTF-8",
                STACKTRACE.format(path=path).encode(), "plain")
    if kind == "empty503":
        return status or 503, None, b"", "plain"
    if kind == "uniform":
        status = status or 409
        return (status, "application/json", js(uniform_body(
            status, "Injected uniform error")), "plain")
    if kind == "chunked":
        return (status or 500, "application/json", js(spring_body(
            status or 500, path, "Error body sent in several chunks")),
            "chunked")
    if kind == "gzip":
        return (status or 500, "application/json", js(spring_body(
            status or 500, path, "Gzip-encoded error body")), "gzip")
    if kind == "invalidjson":
        return (status or 500, "application/json",
                b'{"code":"0002","status":"UNEXPECTED","message":"Unexp',
                "plain")
    if kind == "bigbody":
        status = status or 500
        return status, "application/json", None, "big"
    return None


def uniform_override(body, spec):
    """The `uniform` kind's body with the members of the X-Mock-Uniform
    header (a JSON object) replacing or added to the default ones, in the
    order code, status, message, detailMsg, then the others; None when the
    header is not a JSON object."""
    try:
        extra = json.loads(spec)
    except ValueError:
        return None
    if not isinstance(extra, dict):
        return None
    obj = json.loads(body)
    obj.update(extra)
    return json.dumps(obj, ensure_ascii=False).encode()


def big_body(status, path, size):
    """A spring-style JSON error body of exactly `size` bytes (min ~150)."""
    head = spring_body(status, path, "")
    base = json.dumps(head).encode()
    pad = max(0, size - len(base))
    head["message"] = "x" * pad          # "x" needs no JSON escaping
    return json.dumps(head).encode()


# ---------------------------------------------------------------------------
# HTTP layer
# ---------------------------------------------------------------------------

class Request:
    """What an operation handler sees."""

    def __init__(self, method, raw_path, params, query, body, json_body):
        self.method = method
        self.raw_path = raw_path
        self.params = params
        self.query = query
        self.body = body
        self.json = json_body

    def q(self, name):
        """First value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None


class MockHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive; every reply is framed
    server_version = "ticketing-mock/1.0"

    def version_string(self):
        return self.server_version      # no "Python/3.x" suffix

    # -- plumbing ------------------------------------------------------

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            sys.stderr.write("%s - [%s] %s\n" % (
                self.address_string(), self.log_date_time_string(),
                fmt % args))
            sys.stderr.flush()

    def send_error(self, code, message=None, explain=None):
        """Protocol-level errors (bad request line, unsupported method...)
        in the uniform schema instead of http.server's HTML page."""
        self.close_connection = True
        self.send_bytes(code, "application/json",
                        json.dumps(uniform_body(code, message)).encode(),
                        {"Connection": "close"})

    def send_bytes(self, status, ctype, body, headers=None):
        headers = dict(headers or {})
        if any(k.lower() == "date" for k in headers):
            # X-Mock-Header: Date: ... replaces the mock's own Date
            self.log_request(status)
            self.send_response_only(status)
            self.send_header("Server", self.version_string())
        else:
            self.send_response(status)
        # an HTTP/1.0 request without keep-alive (nginx's default
        # proxy_http_version) is answered, then the connection is closed:
        # say so, or nginx may keep it and send the next request into a
        # closing socket ("upstream prematurely closed connection")
        if self.close_connection and "Connection" not in headers:
            headers["Connection"] = "close"
        for k, v in headers.items():
            self.send_header(k, v)
        if status == 204 or status == 304 or status < 200:
            self.end_headers()          # no body, no Content-Length
            return
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        body = b"" if obj is None else json.dumps(
            obj, ensure_ascii=False).encode()
        self.send_bytes(status, "application/json", body, headers)

    def send_uniform(self, status, detail=None, headers=None):
        self.send_json(status, uniform_body(status, detail), headers)

    def send_in_pieces(self, status, ctype, body, pieces=4, delay=0.1):
        """Several writes with small pauses: chunked for HTTP/1.1 clients,
        read-until-close for HTTP/1.0 ones (which may not get chunked)."""
        chunked = self.request_version != "HTTP/1.0"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.flush()
        step = max(1, -(-len(body) // pieces))
        for i in range(0, len(body), step):
            part = body[i:i + step]
            if chunked:
                part = b"%x\r\n%s\r\n" % (len(part), part)
            self.wfile.write(part)
            self.wfile.flush()
            time.sleep(delay)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def read_body(self):
        """The request body (Content-Length or chunked), or None when it
        is unreadable (the connection is closed after the reply)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    return None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n",
                                                             b""):
                        pass
                    return data
                if len(data) + size > MAX_BODY:
                    return None
                data += self.rfile.read(size)
                self.rfile.readline(65537)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            return None
        if n < 0 or n > MAX_BODY:
            return None
        return self.rfile.read(n)

    def header_dict(self):
        out = {}
        for name, value in self.headers.items():
            name = name.lower()
            if name in out:
                if not isinstance(out[name], list):
                    out[name] = [out[name]]
                out[name].append(value)
            else:
                out[name] = value
        return out

    def __getattr__(self, name):
        # http.server looks up do_<METHOD>.  Every method (the catalogue's,
        # but also HEAD, TRACE or an invented one) goes to dispatch(), so
        # that whatever reaches the mock is recorded; a method a path does
        # not have gets the uniform 405.
        if name.startswith("do_"):
            return self.dispatch
        raise AttributeError(name)

    # -- request handling ----------------------------------------------

    def dispatch(self):
        # http.server collapses a leading "//" in self.path; the request
        # line has the target exactly as received.
        words = self.requestline.split()
        raw_path = words[1] if len(words) >= 2 else self.path
        body = self.read_body()
        if body is None:
            self.close_connection = True
            self.send_uniform(400, "Unreadable request body",
                              {"Connection": "close"})
            return
        try:
            if raw_path.startswith("/__mock/") or raw_path == "/__mock":
                self.control(raw_path.partition("?")[0], body)
            else:
                self.record(raw_path, body)
                self.api(raw_path, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # a mock bug must still answer, and be visible
            traceback.print_exc()
            self.close_connection = True
            self.send_uniform(500, "mock internal error",
                              {"Connection": "close"})

    def record(self, raw_path, body):
        entry = {"method": self.command, "path": raw_path,
                 "headers": self.header_dict(),
                 "body": body.decode("utf-8", errors="replace")}
        store = self.server.store
        with store.lock:
            store.requests.append(entry)

    def control(self, path, body):
        """/__mock/ endpoints: never recorded, no provider needed."""
        store = self.server.store
        m = IDP_CONTROL_PATH.match(path)
        if m:
            return self.control_jwks(m.group(1), body)
        allowed = {"/__mock/health": ("GET",),
                   "/__mock/reset": ("GET", "POST"),
                   "/__mock/requests": ("GET",),
                   "/__mock/last": ("GET",),
                   "/__mock/count": ("GET",)}
        if path not in allowed:
            return self.send_uniform(404, "Resource not found")
        if self.command not in allowed[path]:
            return self.send_uniform(405, "Method not allowed",
                                     {"Allow": ", ".join(allowed[path])})
        with store.lock:
            if path == "/__mock/health":
                out = {"status": "ok"}
            elif path == "/__mock/reset":
                store.reset()
                out = {"reset": True}
            elif path == "/__mock/requests":
                out = store.requests
            elif path == "/__mock/last":
                out = store.requests[-1] if store.requests else None
            else:
                out = {"count": len(store.requests)}
            body = json.dumps(out, ensure_ascii=False).encode()
        self.send_bytes(200, "application/json", body)

    def control_jwks(self, name, body):
        """POST /__mock/jwks/<name>: the body becomes the document that
        GET /idp/<name>/jwks answers, with the status X-Mock-Status (200)
        after X-Mock-Delay-Ms (0).  GET: how many times it was fetched
        since the last reset (counted from the request log)."""
        store = self.server.store
        path = "/idp/%s/jwks" % name
        if self.command == "POST":
            status = int_param(self.headers.get("X-Mock-Status"), 200)
            delay = int_param(self.headers.get("X-Mock-Delay-Ms"), 0)
            if not 200 <= status <= 599:
                return self.send_uniform(400, "X-Mock-Status out of range")
            with store.lock:
                store.jwks[name] = (status, body, delay)
            return self.send_json(200, {"jwks": name, "status": status,
                                        "delay_ms": delay})
        if self.command != "GET":
            return self.send_uniform(405, "Method not allowed",
                                     {"Allow": "GET, POST"})
        with store.lock:
            n = sum(1 for r in store.requests
                    if r["path"].partition("?")[0] == path)
        self.send_json(200, {"fetches": n})

    def idp_jwks(self, name):
        """GET /idp/<name>/jwks: the key set set by POST /__mock/jwks/<name>
        (recorded like every request outside /__mock/)."""
        if self.command != "GET":
            return self.send_uniform(405, "Request method '%s' is not "
                                     "supported" % self.command,
                                     {"Allow": "GET"})
        store = self.server.store
        with store.lock:
            doc = store.jwks.get(name)
        if doc is None:
            return self.send_uniform(404, "Resource not found")
        status, body, delay = doc
        if delay:
            time.sleep(delay / 1000.0)
        self.send_bytes(status, "application/json", body)

    def api(self, raw_path, body):
        # Not urlsplit(): it would read "//x/..." as a host name.
        path, _, query = raw_path.partition("?")
        m = IDP_JWKS_PATH.match(path)
        if m:
            return self.idp_jwks(m.group(1))
        params, methods = route(path)
        if params is None:
            return self.send_uniform(404, "Resource not found")
        if self.command not in methods:
            return self.send_uniform(
                405, "Request method '%s' is not supported" % self.command,
                {"Allow": ", ".join(sorted(methods))})
        op_name, handler = methods[self.command]
        op_header = {"X-Mock-Operation": op_name}

        # Error injection comes before any validation, so that a test needs
        # nothing but the header (or the magic ticket id).
        kind = (self.headers.get("X-Mock-Error") or "").strip().lower()
        ticket_ref = params.get("ticketId", "")
        if not kind and ticket_ref.upper().startswith("ERR-"):
            magic = ticket_ref[4:].lower()
            if magic in ERROR_KINDS:
                kind = magic
        if kind == "slow" and ticket_ref.upper() == "ERR-SLOW":
            params["ticketId"] = SLOW_TICKET
        delay = self.headers.get("X-Mock-Delay-Ms")
        if delay is not None or kind == "slow":
            time.sleep(int_param(delay, 2000) / 1000.0)
        if kind and kind != "slow":
            if kind not in ERROR_KINDS:
                return self.send_uniform(
                    400, "Unknown X-Mock-Error kind '%s'" % kind, op_header)
            return self.inject(kind, path, op_header)

        provider = self.headers.get("ticketing-provider")
        if provider not in PROVIDERS:
            detail = ("Required request header 'ticketing-provider' is not "
                      "present" if provider is None else
                      "Invalid ticketing-provider '%s'" % provider)
            return self.send_uniform(400, detail, op_header)

        json_body = None
        if body.strip() and self.command in ("POST", "PUT", "PATCH"):
            try:
                json_body = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return self.send_uniform(400, "Malformed JSON request body",
                                         op_header)

        req = Request(self.command, raw_path, params,
                      parse_qs(query, keep_blank_values=True), body,
                      json_body)
        store = self.server.store
        try:
            with store.lock:
                pd = store.providers[provider]
                if "org" in params:
                    pd.orgs.add(params["org"])
                result = handler(req, pd)
                status, obj = result[0], result[1]
                headers = dict(op_header, **(result[2] if len(result) > 2
                                             else {}))
                obj = self.localize(op_name, obj, headers)
                self.add_cache_headers(headers)
                body_out = None if obj is None else json.dumps(
                    obj, ensure_ascii=False).encode()
        except ApiError as e:
            return self.send_uniform(e.status, e.detail,
                                     dict(op_header, **e.headers))
        self.send_bytes(status, "application/json", body_out or b"", headers)

    def localize(self, op_name, obj, headers):
        """Metadata answers in the language of Accept-Language: English
        names for a first tag en*, the Spanish seed otherwise.  With the
        header, the answer says which (Content-Language) and that it
        depends on it (Vary: Accept-Language)."""
        lang = self.headers.get("Accept-Language")
        if lang is None or not op_name.startswith("metadata."):
            return obj
        tag = lang.split(",")[0].split(";")[0].strip().lower() or "es"
        headers["Content-Language"] = "en" if tag.startswith("en") else "es"
        headers["Vary"] = "Accept-Language"
        if not tag.startswith("en"):
            return obj
        return json.loads(json.dumps(obj, ensure_ascii=False),
                          object_hook=lambda o: {
                              k: (ENGLISH.get(v, v) if k == "name" else v)
                              for k, v in o.items()})

    def add_cache_headers(self, headers):
        """X-Mock-Cache-Control / X-Mock-Vary: the answer carries them as
        Cache-Control / Vary (after any Vary of its own)."""
        cc = self.headers.get("X-Mock-Cache-Control")
        if cc is not None:
            headers["Cache-Control"] = cc
        vary = self.headers.get("X-Mock-Vary")
        if vary is not None:
            headers["Vary"] = (headers["Vary"] + ", " + vary
                               if "Vary" in headers else vary)
        # X-Mock-Header: <Name>: <value>, repeatable: any response header,
        # replacing one of that name the mock would send (Date included)
        for spec in self.headers.get_all("X-Mock-Header") or []:
            name, sep, value = spec.partition(":")
            name = name.strip()
            if not sep or not name:
                continue
            for k in [k for k in headers if k.lower() == name.lower()]:
                del headers[k]
            headers[name] = value.strip()

    def inject(self, kind, path, headers):
        try:
            status = int(self.headers.get("X-Mock-Status", ""))
            if not 100 <= status <= 599:
                status = None
        except ValueError:
            status = None
        status, ctype, body, mode = injected_error(kind, status, path)
        if mode == "big":
            size = int_param(self.headers.get("X-Mock-Body-Size"), 65536)
            body = big_body(status, path, size)
        spec = self.headers.get("X-Mock-Uniform")
        if kind == "uniform" and spec is not None:
            body = uniform_override(body, spec)
            if body is None:
                return self.send_uniform(
                    400, "X-Mock-Uniform is not a JSON object", headers)
        if mode == "chunked":
            return self.send_in_pieces(status, ctype, body)
        if mode == "gzip":
            body = gzip.compress(body)
            headers = dict(headers, **{"Content-Encoding": "gzip"})
        self.send_bytes(status, ctype, body, headers)


class MockServer(ThreadingHTTPServer):
    daemon_threads = True           # a hung client never blocks exit
    allow_reuse_address = True

    def __init__(self, addr, quiet):
        super().__init__(addr, MockHandler)
        self.quiet = quiet
        self.store = Store()


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

class Stop(Exception):
    pass


def main():
    ap = argparse.ArgumentParser(description="Mock Ticketing API v2")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True,
                    help="0 picks a free port (printed on stderr)")
    ap.add_argument("--pidfile")
    ap.add_argument("--quiet", action="store_true",
                    help="no per-request log lines")
    args = ap.parse_args()

    try:
        server = MockServer((args.host, args.port), args.quiet)
    except OSError as e:
        sys.stderr.write("ticketing_mock: cannot listen on %s:%d: %s\n"
                         % (args.host, args.port, e))
        return 1

    def on_signal(signum, frame):
        raise Stop()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    # Written only once listening: its presence means "ready".
    if args.pidfile:
        tmp = args.pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(tmp, args.pidfile)
    if not args.quiet:
        sys.stderr.write("ticketing_mock: listening on %s:%d\n"
                         % server.server_address[:2])
        sys.stderr.flush()
    try:
        server.serve_forever()
    except Stop:
        pass
    finally:
        server.server_close()
        if args.pidfile:
            try:
                with open(args.pidfile) as f:
                    mine = f.read().strip() == str(os.getpid())
                if mine:
                    os.unlink(args.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
