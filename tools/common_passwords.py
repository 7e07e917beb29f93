"""Build ``data/common-passwords.txt``: passwords people pick first, refused by the password rules.

``python -m tools.common_passwords`` rewrites the file (deterministic: same output every run).
The list is generated from well-known patterns, not downloaded: the words and names at the top of
every published breach list (English and Czech), keyboard walks, digit runs, and those words with
the years, digits and symbols people append. ``services.users`` also strips separators, trailing
digits and symbols and common letter-for-digit swaps before looking a password up, so the list
only needs the stems plus the full strings that survive no stripping.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "common-passwords.txt"

WORDS_EN = """
password passw0rd passwort pass word secret letmein welcome welcome1 iloveyou loveyou lovely love
admin administrator root user guest login default changeme trustno1 master masterkey access
qwerty qwertz azerty abc abcd abcdef abcdefg abcdefgh abc123 monkey dragon baseball football soccer
hockey basketball tennis golf batman superman spiderman ironman starwars pokemon pikachu minecraft
sunshine shadow princess prince queen king angel angels michael jennifer jordan hunter ranger
buster thomas tigger robert daniel andrew joshua george charlie freedom whatever nothing
computer internet network server system windows apple samsung google facebook twitter linkedin
summer winter spring autumn monday friday january december flower flowers butterfly rainbow
cookie chocolate cheese pepper orange banana cherry coffee pizza dolphin tiger lion eagle
killer hello hello1 hellokitty matrix mustang ferrari porsche mercedes harley corvette
zaq1zaq1 zxcvbn zxcvbnm asdfgh asdfghjkl qazwsx qweasd qwertyuiop mnbvcxz poiuytrewq
letmein1 test test123 testing tester demo sample example temp temporary
family friends forever together happy smile heart lucky money dollar bitch fuckyou
whatsup superstar rockstar nintendo playstation xbox gamer player soccer1 liverpool chelsea
arsenal barcelona realmadrid juventus manchester united london paris berlin newyork
welcome123 password1 password12 password123 passw0rd1 p@ssword p@ssw0rd
office company business manager worker staff support service helpdesk security
""".split()

WORDS_CS = """
heslo heslo1 hesla mojeheslo noveheslo tajneheslo tajne tajemstvi ahoj ahojky cau nazdar
poradna poradna1 klient klienti pracovnik socialni sluzba sluzby uredni urad kancelar
praha brno ostrava plzen olomouc liberec pardubice budejovice hradec zlin jihlava kladno
cesko ceska czech czechia republika slovensko sparta slavia banik kometa hokej fotbal
jana petr pavel martin tomas jiri jan josef lukas jakub david ondrej michal karel vaclav
lenka petra lucie tereza eva hana anna marie katerina veronika martina jitka alena zuzana
miluji milujute laska srdce kocka pejsek pes kocicka medved zajic liska vlk orel
jaro leto podzim zima pondeli patek leden prosinec vanoce velikonoce narozeniny
pivo vino slivovice knedlik rohlik chleba kava caj cokolada
heslo123 heslo1234 qwertzuiop asdfghjkl yxcvbnm
""".split()

KEYBOARD = """
1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx 1qaz2wsx3edc 1qaz2wsx3edc4rfv qwer1234 qwert12345
q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 zaq12wsx zaq1xsw2 !qaz2wsx 1qazxsw2 qazwsxedc qazwsxedcrfv
qwertyuiopasdfghjkl asdfghjklzxcvbnm qwertyuiop1234 qwerty123456 qwertz123456 qwertzuiop123
asdfasdfasdf qwerqwerqwer zxcvzxcvzxcv asdf1234asdf 1234qwerasdf qwerasdfzxcv
""".split()

SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "!", "1!", "123!", "!!", "01", "007", "69", "99",
            "2020", "2021", "2022", "2023", "2024", "2025", "2026", "@", "#1", "*"]


def digit_runs() -> set[str]:
    runs = set()
    for length in range(6, 21):
        runs.add("".join(str((i + 1) % 10) for i in range(length)))   # 123456789012…
        runs.add("".join(str(i % 10) for i in range(length)))         # 012345678901…
        runs.add("".join(str(9 - i % 10) for i in range(length)))     # 987654321098…
        for digit in "0123456789":
            runs.add(digit * length)
    for pair in ("12", "21", "69", "88", "11", "13", "19", "20"):
        for repeat in range(3, 11):
            runs.add(pair * repeat)
    for triple in ("123", "321", "147", "159", "258", "369", "789", "456"):
        for repeat in range(2, 7):
            runs.add(triple * repeat)
    for year in range(1950, 2031):
        runs.add(str(year) * 3)
        runs.add(f"0101{year}0101")
        runs.add(f"{year}{year}")
        runs.add(f"123456{year}")
    return runs


def letter_runs() -> set[str]:
    runs = set()
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    for length in range(6, 27):
        runs.add(alphabet[:length])
        runs.add(alphabet[::-1][:length])
    for letter in alphabet:
        for length in (8, 10, 12, 14, 16):
            runs.add(letter * length)
    return runs


def build() -> list[str]:
    words = sorted(set(WORDS_EN) | set(WORDS_CS) | set(KEYBOARD))
    entries: set[str] = set()
    for word in words:
        for suffix in SUFFIXES:
            entries.add(word + suffix)
        entries.add(word + word)
        entries.add(word.capitalize() + "1!")
        entries.add(word.capitalize() + "123!")
    for stem in ("password", "heslo", "qwerty", "qwertz", "admin", "welcome", "letmein", "iloveyou", "poradna",
                 "monkey", "dragon", "football", "abc123", "sunshine", "princess", "master"):
        for year in range(1960, 2031):
            entries.add(f"{stem}{year}")
            entries.add(f"{stem}{year}!")
    entries |= digit_runs()
    entries |= letter_runs()
    return sorted(e for e in entries if e)


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    entries = build()
    header = ("# Common passwords refused by Poradna (generated by tools/common_passwords.py; one a line, lower case).\n")
    OUT.write_text(header + "\n".join(entries) + "\n", encoding="utf-8")
    print(f"{len(entries)} entries written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
