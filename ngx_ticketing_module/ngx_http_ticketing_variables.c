
/*
 * Variables for logs and routing: $ticketing_operation and the path
 * parameters of the operation matched.
 */


#include "ngx_http_ticketing_module.h"


#define NGX_HTTP_TICKETING_VAR_OPERATION  NGX_HTTP_TICKETING_NPARAMS


static ngx_int_t ngx_http_ticketing_route_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static ngx_http_variable_t  ngx_http_ticketing_vars[] = {

    { ngx_string("ticketing_operation"), NULL,
      ngx_http_ticketing_route_variable,
      NGX_HTTP_TICKETING_VAR_OPERATION, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("ticketing_org"), NULL,
      ngx_http_ticketing_route_variable,
      NGX_HTTP_TICKETING_PARAM_ORG, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("ticketing_ticket_id"), NULL,
      ngx_http_ticketing_route_variable,
      NGX_HTTP_TICKETING_PARAM_TICKET_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("ticketing_attachment_id"), NULL,
      ngx_http_ticketing_route_variable,
      NGX_HTTP_TICKETING_PARAM_ATTACHMENT_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("ticketing_issue_link_id"), NULL,
      ngx_http_ticketing_route_variable,
      NGX_HTTP_TICKETING_PARAM_ISSUE_LINK_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_ticketing_add_variables(ngx_conf_t *cf)
{
    return ngx_http_ticketing_register_variables(cf, ngx_http_ticketing_vars);
}


/* every concern registers its table of variables through this one */
ngx_int_t
ngx_http_ticketing_register_variables(ngx_conf_t *cf,
    ngx_http_variable_t *vars)
{
    ngx_http_variable_t  *var, *v;

    for (v = vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/*
 * Routes on demand, so that the variables work before the access phase
 * too (e.g. in "set" or in an upstream name).  Outside a gateway location,
 * or when the path matched no operation, the variables are not found.
 */
static ngx_int_t
ngx_http_ticketing_route_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_ticketing_ctx_t       *ctx;
    ngx_http_ticketing_span_t      *param;
    ngx_http_ticketing_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (!tlcf->gateway) {
        v->not_found = 1;
        return NGX_OK;
    }

    ctx = ngx_http_ticketing_route_request(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->route.op == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (data == NGX_HTTP_TICKETING_VAR_OPERATION) {
        v->data = (u_char *) ctx->route.op->name;
        v->len = ngx_strlen(ctx->route.op->name);

    } else {
        param = &ctx->route.params[data];

        if (param->len == 0) {
            v->not_found = 1;
            return NGX_OK;
        }

        v->data = (u_char *) param->data;
        v->len = param->len;
    }

    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}
