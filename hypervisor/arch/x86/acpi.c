/* SPDX-License-Identifier: MIT */
/*
 * The little of ACPI the hypervisor itself needs: the processors (MADT)
 * and how to enter S5 (FADT PM1 control ports and the DSDT's \_S5 package).
 * Tables are reached with map_firmware(): the direct map, or an uncached mapping where a table
 * sits outside it. Every table is checked (signature, length, checksum)
 * before use; firmware is trusted no further than that.
 */
#include <asm/acpi.h>
#include <asm/io.h>
#include <asm/mm.h>
#include <keel/bootinfo.h>
#include <keel/lib.h>

struct acpi_info acpi_info;

struct rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;            /* revision >= 2 */
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __attribute__((packed));

#define MADT_LOCAL_APIC     0
#define MADT_LOCAL_X2APIC   9
#define MADT_ENABLED        1u

/* FADT field offsets (ACPI 6.x). */
#define FADT_DSDT           40
#define FADT_PM1A_CNT       64
#define FADT_PM1B_CNT       68
#define FADT_X_DSDT         140
#define SLP_EN              (1u << 13)
#define SLP_TYP_SHIFT       10

static bool checksum_ok(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--)
        sum += *b++;
    return sum == 0;
}

/* Map a table's header, then the whole table; NULL if it fails checks. */
static const struct sdt_header *map_table(uint64_t pa, const char *sig)
{
    const struct sdt_header *h;

    if (!pa)
        return NULL;
    h = map_firmware(pa, sizeof(*h));
    if (h->length < sizeof(*h) || h->length > (16u << 20))
        return NULL;
    h = map_firmware(pa, h->length);
    if (sig && memcmp(h->signature, sig, 4))
        return NULL;
    if (!checksum_ok(h, h->length)) {
        printk(LOG_WARN "ACPI: %.4s table at %#lx has a bad checksum, ignored\n", h->signature,
               (unsigned long)pa);
        return NULL;
    }
    return h;
}

static const struct rsdp *scan_rsdp(unsigned long start, unsigned long len)
{
    const char *base = map_firmware(start, len);

    for (unsigned long off = 0; off + 20 <= len; off += 16)
        if (!memcmp(base + off, "RSD PTR ", 8) && checksum_ok(base + off, 20))
            return (const struct rsdp *)(base + off);
    return NULL;
}

static const struct rsdp *find_rsdp(void)
{
    const struct rsdp *r;
    unsigned long ebda;

    if (boot_info.has_acpi_rsdp && checksum_ok(boot_info.acpi_rsdp, 20))
        return (const struct rsdp *)boot_info.acpi_rsdp;
    ebda = (unsigned long)*(const uint16_t *)map_firmware(0x40e, 2) << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000 && (r = scan_rsdp(ebda, 1024)))
        return r;
    return scan_rsdp(0xe0000, 0x20000);
}

static void parse_madt(const struct sdt_header *madt)
{
    const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8;
    const uint8_t *end = (const uint8_t *)madt + madt->length;

    for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
        uint32_t id, flags;

        if (p[0] == MADT_LOCAL_APIC && p[1] >= 8) {
            id = p[3];
            flags = *(const uint32_t *)(p + 4);
        } else if (p[0] == MADT_LOCAL_X2APIC && p[1] >= 16) {
            id = *(const uint32_t *)(p + 4);
            flags = *(const uint32_t *)(p + 8);
        } else {
            continue;
        }
        if (!(flags & MADT_ENABLED))
            continue;
        if (acpi_info.nr_cpus == ACPI_MAX_CPUS) {
            printk(LOG_WARN "ACPI: more than %d CPUs, APIC ID %u ignored\n", ACPI_MAX_CPUS, id);
            continue;
        }
        acpi_info.cpu_apic_ids[acpi_info.nr_cpus++] = id;
    }
}

/* One AML package element: ZeroOp, OneOp, BytePrefix n, or a raw byte. */
static const uint8_t *aml_small_int(const uint8_t *p, const uint8_t *end, uint16_t *val)
{
    if (p >= end)
        return NULL;
    if (*p == 0x0a) {
        if (p + 1 >= end)
            return NULL;
        *val = p[1];
        return p + 2;
    }
    *val = *p == 0x01 ? 1 : *p == 0x00 ? 0 : *p;
    return p + 1;
}

/* Find "Name(_S5_, Package(){a, b, ...})" in the DSDT's AML. */
static void find_s5(const struct sdt_header *dsdt)
{
    const uint8_t *aml = (const uint8_t *)dsdt + sizeof(*dsdt);
    const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

    for (const uint8_t *p = aml; p + 5 < end; p++) {
        const uint8_t *q;

        if (memcmp(p, "_S5_", 4) || p[4] != 0x12)   /* PackageOp */
            continue;
        if (p[-1] != 0x08 && !(p[-1] == '\\' && p[-2] == 0x08))  /* NameOp */
            continue;
        q = p + 5;
        q += ((*q >> 6) & 3) + 1;   /* PkgLength */
        q++;                        /* NumElements */
        q = aml_small_int(q, end, &acpi_info.slp_typ_s5a);
        if (q)
            q = aml_small_int(q, end, &acpi_info.slp_typ_s5b);
        acpi_info.s5_found = q != NULL;
        return;
    }
}

static void parse_fadt(const struct sdt_header *fadt)
{
    const uint8_t *f = (const uint8_t *)fadt;
    uint64_t dsdt_pa = 0;
    const struct sdt_header *dsdt;

    if (fadt->length >= FADT_PM1B_CNT + 4) {
        acpi_info.pm1a_cnt = (uint16_t)*(const uint32_t *)(f + FADT_PM1A_CNT);
        acpi_info.pm1b_cnt = (uint16_t)*(const uint32_t *)(f + FADT_PM1B_CNT);
    }
    if (fadt->length >= FADT_X_DSDT + 8)
        dsdt_pa = *(const uint64_t *)(f + FADT_X_DSDT);
    if (!dsdt_pa && fadt->length >= FADT_DSDT + 4)
        dsdt_pa = *(const uint32_t *)(f + FADT_DSDT);
    dsdt = map_table(dsdt_pa, "DSDT");
    if (dsdt)
        find_s5(dsdt);
}

void acpi_init(void)
{
    const struct rsdp *rsdp = find_rsdp();
    const struct sdt_header *root;
    bool xsdt;
    unsigned int n;

    if (!rsdp) {
        printk(LOG_WARN "ACPI: no RSDP found: one CPU, no power-off\n");
        return;
    }
    xsdt = rsdp->revision >= 2 && rsdp->xsdt;
    root = xsdt ? map_table(rsdp->xsdt, "XSDT") : map_table(rsdp->rsdt, "RSDT");
    if (!root) {
        printk(LOG_WARN "ACPI: root table unusable: one CPU, no power-off\n");
        return;
    }
    n = (root->length - sizeof(*root)) / (xsdt ? 8 : 4);
    for (unsigned int i = 0; i < n; i++) {
        const uint8_t *entries = (const uint8_t *)(root + 1);
        uint64_t pa = xsdt ? *(const uint64_t *)(entries + 8 * i) : *(const uint32_t *)(entries + 4 * i);
        const struct sdt_header *h = map_table(pa, NULL);

        if (!h)
            continue;
        if (!memcmp(h->signature, "APIC", 4))
            parse_madt(h);
        else if (!memcmp(h->signature, "FACP", 4))
            parse_fadt(h);
    }
    printk("ACPI: %u CPUs in the MADT, PM1a control port %#x, S5 %s\n", acpi_info.nr_cpus,
           acpi_info.pm1a_cnt, acpi_info.s5_found ? "found" : "not found");
}

bool acpi_power_off(void)
{
    if (!acpi_info.pm1a_cnt || !acpi_info.s5_found)
        return false;
    outw(acpi_info.pm1a_cnt, (uint16_t)((acpi_info.slp_typ_s5a << SLP_TYP_SHIFT) | SLP_EN));
    if (acpi_info.pm1b_cnt)
        outw(acpi_info.pm1b_cnt, (uint16_t)((acpi_info.slp_typ_s5b << SLP_TYP_SHIFT) | SLP_EN));
    return true;
}
