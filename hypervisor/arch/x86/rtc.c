/* SPDX-License-Identifier: MIT */
/*
 * The CMOS real-time clock, read once at boot for the wall-clock time PV
 * guests see in shared_info. Handles BCD and 12-hour modes; waits for an
 * update-in-progress window to pass so the fields are consistent.
 */
#include <asm/io.h>
#include <asm/rtc.h>
#include <keel/lib.h>

#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS   0x04
#define RTC_DAY     0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_STATUS_A 0x0a
#define  RTC_UIP    0x80
#define RTC_STATUS_B 0x0b
#define  RTC_24H    0x02
#define  RTC_BINARY 0x04
#define RTC_CENTURY 0x32

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static unsigned int bcd(uint8_t v, bool binary)
{
    return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned int y, unsigned int m, unsigned int d)
{
    unsigned int era, yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

uint64_t rtc_unix_time(void)
{
    uint8_t sec, min, hour, day, mon, year, cent, status;
    bool binary, pm;
    unsigned int h;

    for (int spins = 0; spins < 1000000 && (cmos_read(RTC_STATUS_A) & RTC_UIP); spins++)
        ;
    sec = cmos_read(RTC_SECONDS);
    min = cmos_read(RTC_MINUTES);
    hour = cmos_read(RTC_HOURS);
    day = cmos_read(RTC_DAY);
    mon = cmos_read(RTC_MONTH);
    year = cmos_read(RTC_YEAR);
    cent = cmos_read(RTC_CENTURY);
    status = cmos_read(RTC_STATUS_B);
    binary = status & RTC_BINARY;
    pm = hour & 0x80;
    h = bcd(hour & 0x7f, binary);
    if (!(status & RTC_24H))
        h = (h % 12) + (pm ? 12 : 0);
    {
        unsigned int y = bcd(year, binary) + (cent ? bcd(cent, binary) * 100 : 2000);
        unsigned int m = bcd(mon, binary), d = bcd(day, binary);

        if (m < 1 || m > 12 || d < 1 || d > 31 || h > 23)
            return 0;
        return days_from_civil(y, m, d) * 86400 + h * 3600 + bcd(min, binary) * 60 +
               bcd(sec, binary);
    }
}
