/* SPDX-License-Identifier: MIT */
/*
 * Multiboot 1 and 2 boot information, read through the early direct map and
 * copied into boot_info. Entries that do not fit are dropped with a warning;
 * boot information from the loader is trusted to be well formed only as far
 * as its own length fields say.
 */
#include <asm/config.h>
#include <asm/multiboot.h>
#include <keel/bootinfo.h>
#include <keel/lib.h>

struct boot_info boot_info;

#define MB1_BOOTLOADER_MAGIC  0x2badb002
#define MB2_BOOTLOADER_MAGIC  0x36d76289

#define MB1_INFO_CMDLINE      (1u << 2)
#define MB1_INFO_MODS         (1u << 3)
#define MB1_INFO_MEM_MAP      (1u << 6)
#define MB1_INFO_LOADER_NAME  (1u << 9)

#define MB2_TAG_END           0
#define MB2_TAG_CMDLINE       1
#define MB2_TAG_LOADER_NAME   2
#define MB2_TAG_MODULE        3
#define MB2_TAG_MMAP          6
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15

struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb1_module {
    uint32_t start, end, cmdline, reserved;
};

struct mb1_mmap {
    uint32_t size;          /* of the rest of the entry */
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

struct mb2_tag {
    uint32_t type, size;
};

static const void *phys(uint64_t pa)
{
    return (const void *)(DIRECTMAP_VIRT_START + pa);
}

static void copy_string(char *dst, size_t size, uint64_t pa)
{
    if (pa)
        strlcpy(dst, phys(pa), size);
}

static void add_memmap(uint64_t addr, uint64_t size, uint32_t type)
{
    if (boot_info.nr_memmap == BOOT_MAX_MEMMAP) {
        printk(LOG_WARN "multiboot: memory map entry %#llx+%#llx dropped (table full)\n",
               (unsigned long long)addr, (unsigned long long)size);
        return;
    }
    boot_info.memmap[boot_info.nr_memmap++] = (struct memmap_entry){ addr, size, type };
}

static struct boot_module *add_module(uint64_t start, uint64_t end)
{
    struct boot_module *m;

    if (boot_info.nr_modules == BOOT_MAX_MODULES) {
        printk(LOG_WARN "multiboot: module at %#llx dropped (at most %d)\n",
               (unsigned long long)start, BOOT_MAX_MODULES);
        return NULL;
    }
    m = &boot_info.modules[boot_info.nr_modules++];
    m->start = start;
    m->end = end;
    return m;
}

static void parse_mb1(const struct mb1_info *mbi)
{
    boot_info.protocol = "multiboot1";
    if (mbi->flags & MB1_INFO_CMDLINE)
        copy_string(boot_info.cmdline, sizeof(boot_info.cmdline), mbi->cmdline);
    if (mbi->flags & MB1_INFO_LOADER_NAME)
        copy_string(boot_info.loader, sizeof(boot_info.loader), mbi->boot_loader_name);
    if (mbi->flags & MB1_INFO_MEM_MAP) {
        uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;

        while (p + sizeof(struct mb1_mmap) <= end) {
            const struct mb1_mmap *e = phys(p);

            add_memmap(e->addr, e->len, e->type);
            p += e->size + sizeof(e->size);
        }
    } else {
        /* No map: the two classic ranges are all we know. */
        add_memmap(0, (uint64_t)mbi->mem_lower << 10, E820_RAM);
        add_memmap(1 << 20, (uint64_t)mbi->mem_upper << 10, E820_RAM);
    }
    if (mbi->flags & MB1_INFO_MODS) {
        const struct mb1_module *mods = phys(mbi->mods_addr);

        for (uint32_t i = 0; i < mbi->mods_count; i++) {
            struct boot_module *m = add_module(mods[i].start, mods[i].end);

            if (m)
                copy_string(m->cmdline, sizeof(m->cmdline), mods[i].cmdline);
        }
    }
}

static void parse_mb2(uint64_t mbi_pa)
{
    uint32_t total = *(const uint32_t *)phys(mbi_pa);
    uint64_t p = mbi_pa + 8, end = mbi_pa + total;

    boot_info.protocol = "multiboot2";
    while (p + sizeof(struct mb2_tag) <= end) {
        const struct mb2_tag *tag = phys(p);
        const uint8_t *body = (const uint8_t *)(tag + 1);

        if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
            break;
        switch (tag->type) {
        case MB2_TAG_CMDLINE:
            copy_string(boot_info.cmdline, sizeof(boot_info.cmdline), p + 8);
            break;
        case MB2_TAG_LOADER_NAME:
            copy_string(boot_info.loader, sizeof(boot_info.loader), p + 8);
            break;
        case MB2_TAG_MODULE: {
            const uint32_t *range = (const uint32_t *)body;
            struct boot_module *m = add_module(range[0], range[1]);

            if (m)
                copy_string(m->cmdline, sizeof(m->cmdline), p + 16);
            break;
        }
        case MB2_TAG_MMAP: {
            uint32_t entry_size = ((const uint32_t *)body)[0];
            uint64_t e = p + 16;

            if (entry_size < 20)
                break;
            for (; e + entry_size <= p + tag->size; e += entry_size) {
                const uint64_t *ent = phys(e);

                add_memmap(ent[0], ent[1], *(const uint32_t *)(ent + 2));
            }
            break;
        }
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            if (!boot_info.has_acpi_rsdp) {
                memcpy(boot_info.acpi_rsdp, body,
                       min((size_t)tag->size - 8, sizeof(boot_info.acpi_rsdp)));
                boot_info.has_acpi_rsdp = true;
            }
            break;
        }
        p += ROUNDUP((uint64_t)tag->size, 8);
    }
}

int multiboot_parse(uint32_t magic, uint32_t mbi_pa)
{
    if (magic == MB1_BOOTLOADER_MAGIC)
        parse_mb1(phys(mbi_pa));
    else if (magic == MB2_BOOTLOADER_MAGIC)
        parse_mb2(mbi_pa);
    else
        return -1;
    return 0;
}
