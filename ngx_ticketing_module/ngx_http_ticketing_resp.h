
/*
 * A Redis command in RESP (an array of bulk strings), formatted without
 * printf: what every lookup, store and purge sends.
 *
 * Pure logic: this file includes no nginx header, so the unit tests link
 * it without nginx.
 */


#ifndef _NGX_HTTP_TICKETING_RESP_H_INCLUDED_
#define _NGX_HTTP_TICKETING_RESP_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>


/*
 * The command of argc arguments in a malloc()'d buffer (*cmd, free() it);
 * returns its length, or -1 when out of memory.
 */
ssize_t ngx_http_ticketing_resp_command(char **cmd, int argc,
    const char **argv, const size_t *argvlen);


#endif /* _NGX_HTTP_TICKETING_RESP_H_INCLUDED_ */
