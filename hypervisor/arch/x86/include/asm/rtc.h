/* SPDX-License-Identifier: MIT */
#ifndef ASM_RTC_H
#define ASM_RTC_H
#include <stdint.h>

/* Seconds since 1970-01-01 UTC from the CMOS clock, or 0 if it reads nonsense. */
uint64_t rtc_unix_time(void);

#endif
