/*
 * Junction's librdkafka plugin: every TCP connect a Kafka client makes is checked against Junction's egress policy
 * at connect time, after librdkafka resolved the broker's name, so neither an advertised broker, nor a cluster that
 * moves, nor a name that re-resolves (DNS rebinding) can reach a refused address. Confluent.Kafka exposes no connect
 * callback, but librdkafka loads plugins named in "plugin.library.paths" and hands them the configuration object, on
 * which a plugin may set one (design.md §7, docs/security.md).
 *
 * Junction.Runtime loads this file first and calls junction_egress_install() with the functions it needs from
 * librdkafka (so the plugin links against nothing) and with the managed check. Each client's configuration then sets
 * "plugin.library.paths" to this file and "junction.egress.context" to the number of the egress policy to apply; the
 * number travels as the configuration's opaque, which librdkafka passes to the connect callback. A client without a
 * context, or a plugin that was not installed, refuses every connect: the check fails closed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <librdkafka/rdkafka.h>

#define JUNCTION_CONTEXT_PROPERTY "junction.egress.context"

typedef int (*junction_check_fn)(const struct sockaddr *addr, int addrlen, const char *id, intptr_t context);
typedef void (*set_connect_cb_fn)(rd_kafka_conf_t *, int (*)(int, const struct sockaddr *, int, const char *, void *));
typedef void (*set_opaque_fn)(rd_kafka_conf_t *, void *);
typedef rd_kafka_resp_err_t (*add_on_conf_set_fn)(rd_kafka_conf_t *, const char *, rd_kafka_interceptor_f_on_conf_set_t *, void *);
typedef rd_kafka_resp_err_t (*add_on_conf_dup_fn)(rd_kafka_conf_t *, const char *, rd_kafka_interceptor_f_on_conf_dup_t *, void *);

static junction_check_fn s_check;
static set_connect_cb_fn s_set_connect_cb;
static set_opaque_fn s_set_opaque;
static add_on_conf_set_fn s_add_on_conf_set;
static add_on_conf_dup_fn s_add_on_conf_dup;

__attribute__((visibility("default"))) void junction_egress_install(
    junction_check_fn check, set_connect_cb_fn set_connect_cb, set_opaque_fn set_opaque,
    add_on_conf_set_fn add_on_conf_set, add_on_conf_dup_fn add_on_conf_dup)
{
    s_check = check;
    s_set_connect_cb = set_connect_cb;
    s_set_opaque = set_opaque;
    s_add_on_conf_set = add_on_conf_set;
    s_add_on_conf_dup = add_on_conf_dup;
}

static int junction_connect(int sockfd, const struct sockaddr *addr, int addrlen, const char *id, void *opaque)
{
    if (s_check == NULL || s_check(addr, addrlen, id, (intptr_t)opaque) == 0)
        return EACCES; /* refused: no packet is sent */
    /* librdkafka's sockets are non-blocking: a connect in progress is a success, as in its own connect. */
    if (connect(sockfd, addr, (socklen_t)addrlen) == -1 && errno != EINPROGRESS)
        return errno;
    return 0;
}

static rd_kafka_conf_res_t junction_on_conf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
                                                char *errstr, size_t errstr_size, void *ic_opaque)
{
    (void)ic_opaque;
    if (strcmp(name, JUNCTION_CONTEXT_PROPERTY) != 0)
        return RD_KAFKA_CONF_UNKNOWN;
    char *end = NULL;
    long context = val ? strtol(val, &end, 10) : 0;
    if (val == NULL || *val == '\0' || *end != '\0' || context <= 0) {
        if (errstr && errstr_size > 0) {
            strncpy(errstr, JUNCTION_CONTEXT_PROPERTY " must be a positive number", errstr_size - 1);
            errstr[errstr_size - 1] = '\0';
        }
        return RD_KAFKA_CONF_INVALID;
    }
    s_set_opaque(conf, (void *)(intptr_t)context);
    return RD_KAFKA_CONF_OK;
}

static rd_kafka_resp_err_t junction_add(rd_kafka_conf_t *conf);

static rd_kafka_resp_err_t junction_on_conf_dup(rd_kafka_conf_t *new_conf, const rd_kafka_conf_t *old_conf,
                                                size_t filter_cnt, const char **filter, void *ic_opaque)
{
    (void)old_conf; (void)filter_cnt; (void)filter; (void)ic_opaque;
    /* The opaque and the connect callback are copied with the configuration; the interceptors are not. */
    return junction_add(new_conf);
}

static rd_kafka_resp_err_t junction_add(rd_kafka_conf_t *conf)
{
    /* A configuration copied with its plugin path gets both a dup call and a new conf_init: adding twice is fine. */
    rd_kafka_resp_err_t err = s_add_on_conf_set(conf, "junction-egress", junction_on_conf_set, NULL);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__CONFLICT)
        return err;
    err = s_add_on_conf_dup(conf, "junction-egress", junction_on_conf_dup, NULL);
    return err == RD_KAFKA_RESP_ERR__CONFLICT ? RD_KAFKA_RESP_ERR_NO_ERROR : err;
}

__attribute__((visibility("default"))) rd_kafka_resp_err_t conf_init(rd_kafka_conf_t *conf, void **plug_opaquep,
                                                                     char *errstr, size_t errstr_size)
{
    (void)plug_opaquep;
    if (s_check == NULL || s_set_connect_cb == NULL) {
        if (errstr && errstr_size > 0) {
            strncpy(errstr, "junction egress plugin: loaded before Junction installed its check", errstr_size - 1);
            errstr[errstr_size - 1] = '\0';
        }
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    s_set_connect_cb(conf, junction_connect);
    return junction_add(conf);
}
