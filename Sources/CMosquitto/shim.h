#ifndef FLOTILLA_CMOSQUITTO_SHIM_H
#define FLOTILLA_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#ifdef __linux__
/* libmosquitto's external-loop API is driven by epoll (FlotillaMQTT's EpollDriver); Swift's Glibc
   module does not export these two headers. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
#endif
