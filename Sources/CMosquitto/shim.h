#ifndef FLOTILLA_CMOSQUITTO_SHIM_H
#define FLOTILLA_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
