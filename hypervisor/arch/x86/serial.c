/* SPDX-License-Identifier: MIT */
/*
 * The 16550 UART console on a legacy COM port, polled both ways; polling
 * keeps it usable from exception and panic paths with interrupts
 * off. The port is chosen by "console=com1|com2|none" (default com1).
 */
#include <asm/io.h>
#include <keel/arch.h>
#include <keel/lib.h>
#include <asm/serial.h>

#define UART_THR 0  /* transmit holding */
#define UART_IER 1  /* interrupt enable */
#define UART_DLL 0  /* divisor latch, low (with DLAB) */
#define UART_DLM 1  /* divisor latch, high (with DLAB) */
#define UART_FCR 2  /* FIFO control */
#define UART_LCR 3  /* line control */
#define UART_MCR 4  /* modem control */
#define UART_LSR 5  /* line status */
#define  LSR_DR   0x01
#define  LSR_THRE 0x20
#define LCR_DLAB 0x80
#define LCR_8N1  0x03

static uint16_t serial_port;   /* 0 = no serial console */

void serial_init(uint16_t port)
{
    serial_port = port;
    if (!port)
        return;
    outb(port + UART_IER, 0);
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DLL, 1);        /* 115200 baud */
    outb(port + UART_DLM, 0);
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, 0x07);     /* enable and clear FIFOs */
    outb(port + UART_MCR, 0x03);     /* DTR, RTS */
}

static void serial_putc(char c)
{
    /* Bounded wait: a missing UART must not hang the hypervisor. */
    for (int spins = 0; spins < 100000; spins++)
        if (inb(serial_port + UART_LSR) & LSR_THRE)
            break;
    outb(serial_port + UART_THR, (uint8_t)c);
}

bool arch_console_read(char *c)
{
    if (!serial_port || !(inb(serial_port + UART_LSR) & LSR_DR))
        return false;
    *c = (char)inb(serial_port + UART_THR);
    return true;
}

void arch_console_write(const char *s, size_t n)
{
    if (!serial_port)
        return;
    while (n--)
        serial_putc(*s++);
}
