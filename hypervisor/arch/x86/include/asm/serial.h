/* SPDX-License-Identifier: MIT */
#ifndef ASM_SERIAL_H
#define ASM_SERIAL_H
#include <stdint.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8

/* Program the UART at port for 115200 8N1 and use it; 0 disables output. */
void serial_init(uint16_t port);

#endif
