#ifndef TWINHUB_MOSQUITTO_SHIM_H
#define TWINHUB_MOSQUITTO_SHIM_H

// The whole of libmosquitto's client API, plus the MQTT 5 protocol constants
// (reason codes, property identifiers, subscription options).
#include <mosquitto.h>
#include <mqtt_protocol.h>

// The Linux readiness API the MQTT event loop drives libmosquitto's sockets with
// (Swift's Glibc module does not export these headers).
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>

// Names the calling thread as `top -H`, `perf` and /proc show it (the system keeps the first 15 bytes). prctl is
// variadic, so Swift cannot call it directly.
static inline int twinhub_name_current_thread(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

#endif
