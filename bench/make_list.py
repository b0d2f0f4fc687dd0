#!/usr/bin/env python3
"""Writes a published-list CSV of N packing houses: make_list.py N OUT [RENAME_EVERY]."""
import sys

provinces = ["Bến Tre", "Tiền Giang", "Đắk Lắk", "Đồng Nai", "Vĩnh Long", "Cần Thơ"]
count, out = int(sys.argv[1]), sys.argv[2]
rename_every = int(sys.argv[3]) if len(sys.argv) > 3 else 0
with open(out, "w", encoding="utf-8") as f:
    f.write("code,name,address,province\n")
    for i in range(count):
        letters = chr(65 + (i // 10000) % 26) + chr(65 + (i // 260000) % 26)
        code = f"VN-{letters}PH-{i % 10000:04d}"
        name = f"Cơ sở đóng gói số {i}"
        if rename_every and i % rename_every == 0:
            name += " (đổi tên)"
        province = provinces[i % len(provinces)]
        f.write(f'{code},"{name}","Ấp {i % 50}, xã {i % 300}, {province}",{province}\n')
