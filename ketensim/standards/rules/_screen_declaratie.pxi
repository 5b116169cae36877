# Screens of declaratie.py (the 323 declaratie and the 325 antwoord). Included by _screen.pyx.

cdef const char* P323[5]  # Declaratie/Clienten/Client/Prestaties/Prestatie
cdef const char* P325[5]  # the same below DeclaratieAntwoord
P323[0], P325[0] = b"Declaratie", b"DeclaratieAntwoord"
P323[1] = P325[1] = b"Clienten"
P323[2] = P325[2] = b"Client"
P323[3] = P325[3] = b"Prestaties"
P323[4] = P325[4] = b"Prestatie"


cdef xmlNode* descend(xmlNode* el, const char** steps, int i, int n) noexcept:
    """The first element at ``steps[i:n]`` below ``el``, in document order (Doc.select's first)."""
    cdef xmlNode* c
    cdef xmlNode* found
    if i == n:
        return el
    c = child(el, steps[i])
    while c is not NULL:
        found = descend(c, steps, i + 1, n)
        if found is not NULL:
            return found
        c = after(c, steps[i])
    return NULL


cdef xmlNode* next_at(xmlNode* node, const char** steps, int n) noexcept:
    """The element after ``node`` (found at ``steps[:n]``) in Doc.select's list, or NULL."""
    cdef xmlNode* s
    cdef xmlNode* found
    cdef int i = n
    while i > 0:
        s = after(node, steps[i - 1])
        while s is not NULL:
            found = descend(s, steps, i, n)
            if found is not NULL:
                return found
            s = after(s, steps[i - 1])
        node = node.parent
        i -= 1
    return NULL


cdef int month_length(long long year, long long month) noexcept:
    if month == 4 or month == 6 or month == 9 or month == 11:
        return 30
    if month == 2:
        return 29 if year % 4 == 0 else 28
    return 31


cdef long long carry(long long year, long long month, long long day) noexcept:
    while day > month_length(year, month):
        day -= month_length(year, month)
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return year * 10000 + month * 100 + day


cdef long long add_day(long long day) noexcept:
    return carry(day // 10000, day // 100 % 100, day % 100 + 1)


cdef long long add_month(long long day) noexcept:
    cdef long long year = day // 10000, month = day // 100 % 100 + 1  # month - 1 >= 0: no floor issue
    return carry(year + (month - 1) // 12, (month - 1) % 12 + 1, day % 100)


cdef long long minus_years(long long day, int years) noexcept:
    cdef long long year = day // 10000 - years, month = day // 100 % 100
    return year * 10000 + month * 100 + min(day % 100, <long long>month_length(year, month))


cdef int s_cd060(Ctx* ctx, xmlNode* prestatie) noexcept:
    cdef int credit = is_(at2(prestatie, b"IngediendBedrag", b"DebetCredit"), b"C")
    cdef int vorig = filled(at2(prestatie, b"ProductReferentie", b"VorigReferentieNummer"))
    return credit >= 0 and vorig >= 0 and credit == vorig


cdef int s_cd087(Ctx* ctx, xmlNode* prestatie) noexcept:
    cdef int tarief = filled(child(prestatie, b"ProductTarief"))
    cdef int euro = is_(child(prestatie, b"Eenheid"), b"83")
    return tarief >= 0 and euro >= 0 and tarief != euro


cdef int s_cs100(Ctx* ctx, xmlNode* begin) noexcept:
    cdef long long day
    cdef int r = ymd(begin, 0, &day)
    return r == NONE or (r == SURE and day >= 20210101)


cdef int s_cs325(Ctx* ctx, xmlNode* holder) noexcept:
    cdef const char* dc
    cdef double amount
    cdef int r
    cdef xmlNode* bedrag = child(holder, b"Bedrag")
    if val(child(holder, b"DebetCredit"), &dc) == SURE and not one_of(dc, b"C", b"c"):
        return CLEAN
    r = number(bedrag if bedrag is not NULL else child(holder, b"TotaalBedrag"), &amount)
    return r == NONE or (r == SURE and amount != 0)


cdef int digits_only(const char* s, char* out, int cap) noexcept:
    """``s`` without its dashes into ``out``: its length, or -1 for a non-ASCII or too long text."""
    cdef int n = 0
    while s[0]:
        if <unsigned char>s[0] >= 0x80 or n == cap:
            return -1
        if s[0] != b"-"[0]:
            out[n] = s[0]
            n += 1
        s += 1
    return n


cdef bint same_slice(const char* a, int la, const char* b, int lb, int i, int j) noexcept:
    """Python's ``a[i:j] == b[i:j]`` on ASCII texts of lengths ``la`` and ``lb``."""
    cdef int ea = min(max(la, i), j), eb = min(max(lb, i), j), k
    if ea - i != eb - i:
        return False
    for k in range(i, ea):
        if a[k] != b[k]:
            return False
    return True


cdef int s_cs337(Ctx* ctx, xmlNode* prestatie) noexcept:
    cdef const char* s
    cdef const char* t
    cdef char b[32]
    cdef char e[32]
    cdef int lb, le
    cdef xmlNode* periode = child(prestatie, b"ProductPeriode")
    cdef xmlNode* begin = child(periode, b"Begindatum")
    cdef xmlNode* einde = child(periode, b"Einddatum")
    if begin is NULL or einde is NULL or val(begin, &s) != SURE or val(einde, &t) != SURE:
        return MAYBE
    lb, le = digits_only(s, b, 32), digits_only(t, e, 32)
    if lb < 0 or le < 0:
        return MAYBE
    return same_slice(b, lb, e, le, 0, 4) and same_slice(b, lb, e, le, 4, 6)


cdef int s_cs339(Ctx* ctx, xmlNode* prestatie) noexcept:
    cdef const char* eenheid
    cdef double v, b
    cdef int rv, rb
    if raw(child(prestatie, b"Eenheid"), &eenheid) != SURE:
        return MAYBE
    if strcmp(eenheid, b"83") != 0:
        return CLEAN
    rv = number(child(prestatie, b"GeleverdVolume"), &v)
    rb = number(at2(prestatie, b"IngediendBedrag", b"Bedrag"), &b)
    if rv == NONE or rb == NONE:
        return CLEAN
    return rv == SURE and rb == SURE and v == b


cdef int s_cs340(Ctx* ctx, xmlNode* periode) noexcept:
    cdef const char* s
    cdef const char* dash
    cdef long long b, e
    cdef xmlNode* begin = child(periode, b"Begindatum")
    if val(begin, &s) != SURE:
        return MAYBE
    dash = strstr(s, b"-")  # value(begin).split("-", 2)[2:] == ["01"]
    dash = NULL if dash is NULL else strstr(dash + 1, b"-")
    if dash is NULL or strcmp(dash + 1, b"01") != 0:
        return MAYBE
    if ymd(begin, 0, &b) != SURE or ymd(child(periode, b"Einddatum"), 0, &e) != SURE:
        return MAYBE
    return add_day(e) == add_month(b)


cdef int s_tr137(Ctx* ctx, xmlNode* periode) noexcept:
    cdef xmlNode* einde = child(periode, b"Einddatum")
    return not_after(child(periode, b"Begindatum"), einde) == 1 and not_after(einde, dagtekening(ctx)) == 1


cdef int s_tr319(Ctx* ctx, xmlNode* prestatie) noexcept:
    cdef xmlNode* einde = child(at2(ctx.root, b"Declaratie", b"DeclaratiePeriode"), b"Einddatum")
    cdef xmlNode* periode = child(prestatie, b"ProductPeriode")
    return (not_after(child(periode, b"Begindatum"), einde) == 1
            and not_after(child(periode, b"Einddatum"), einde) == 1)


cdef int s_tr335(Ctx* ctx, xmlNode* einde) noexcept:
    cdef long long ref, day
    cdef int rr, rd
    rr = ymd(at2(ctx.root, b"Declaratie", b"DeclaratieDagtekening"), 0, &ref)
    rd = ymd(einde, 0, &day)
    if rr == UNSURE or rd == UNSURE:
        return MAYBE
    return rr == NONE or rd == NONE or day >= minus_years(ref, 5)


cdef int s_tr315(Ctx* ctx, xmlNode* prestatie) noexcept:
    cdef const char* v
    if val(at2(prestatie, b"ProductReferentie", b"VorigReferentieNummer"), &v) != SURE:
        return MAYBE
    return v[0] == 0  # a credit line: the Python check compares it with the lines before


cdef int s_tr316(Ctx* ctx, xmlNode* prestatie) noexcept:
    cdef const char* r
    cdef const char* v
    cdef const char* other
    cdef xmlNode* line
    cdef xmlNode* node
    if val(at2(prestatie, b"ProductReferentie", b"ReferentieNummer"), &r) != SURE:
        return MAYBE
    if val(at2(prestatie, b"ProductReferentie", b"VorigReferentieNummer"), &v) != SURE:
        return MAYBE
    if v[0] or strcmp(r, v) == 0:
        return MAYBE  # a credit line, or a line crediting itself: the Python check decides
    line = descend(ctx.root, P323, 0, 5)
    while line is not NULL and line is not prestatie:  # the lines before: none has r as VorigReferentieNummer
        node = at2(line, b"ProductReferentie", b"ReferentieNummer")
        if node is not NULL and (raw(node, &other) != SURE or other[0] == 0):
            return MAYBE  # an empty ReferentieNummer equals this line's empty VorigReferentieNummer
        node = at2(line, b"ProductReferentie", b"VorigReferentieNummer")
        if node is not NULL and (raw(node, &other) != SURE or strcmp(other, r) == 0):
            return MAYBE
        line = next_at(line, P323, 5)
    return CLEAN


from ketensim.standards.rules.declaratie import SAME_LINE as _SAME_LINE_PATHS

cdef tuple _SAME_LINE = tuple(steps_of(path) for path in _SAME_LINE_PATHS)  # TR416's fields of a line


cdef int field(xmlNode* prestatie, int i, const char** out) noexcept:
    """The i-th of TR416's fields of a line: -1 absent, else val()."""
    cdef xmlNode* node = path_at(prestatie, <tuple>_SAME_LINE[i])
    if node is NULL:
        return -1
    return val(node, out)


cdef int s_tr416(Ctx* ctx, xmlNode* prestatie) noexcept:
    cdef const char* dc
    cdef const char* mine[5]
    cdef const char* theirs
    cdef int i, r, debit
    cdef bint differs
    cdef xmlNode* other = before(prestatie, b"Prestatie")
    if other is NULL:
        return CLEAN  # the first line of a client
    if raw(at2(prestatie, b"IngediendBedrag", b"DebetCredit"), &dc) != SURE:
        return MAYBE
    if strcmp(dc, b"D") != 0:
        return CLEAN
    if len(_SAME_LINE) > 5:
        return MAYBE  # more fields than ``mine`` holds
    for i in range(len(_SAME_LINE)):
        r = field(prestatie, i, &mine[i])
        if r == -1:
            return CLEAN  # a field absent: the rule does not compare this line
        if r != SURE:
            return MAYBE
    while other is not NULL:
        debit = is_(at2(other, b"IngediendBedrag", b"DebetCredit"), b"D")
        if debit < 0:
            return MAYBE
        if debit:
            differs = False
            for i in range(len(_SAME_LINE)):
                r = field(other, i, &theirs)
                if r == -1:
                    differs = True  # a field absent: not the same line
                    break
                if r != SURE:
                    return MAYBE
                if strcmp(theirs, mine[i]) != 0:
                    differs = True
            if not differs:
                return MAYBE
        other = before(other, b"Prestatie")
    return CLEAN


cdef int net(Ctx* ctx, const char** steps, double* out) noexcept:
    """declaratie._net over the lines at ``steps`` from the root: SURE with ``*out``, or UNSURE."""
    cdef const char* dc
    cdef double amount, total = 0.0
    cdef int r
    cdef xmlNode* line = descend(ctx.root, steps, 0, 5)
    while line is not NULL:
        if raw(at2(line, b"IngediendBedrag", b"DebetCredit"), &dc) != SURE:
            return UNSURE
        if one_of(dc, b"D", b"C"):
            r = number(at2(line, b"IngediendBedrag", b"Bedrag"), &amount)
            if r == UNSURE:
                return UNSURE
            total += NAN if r == NONE else (amount if dc[0] == b"D"[0] else -amount)
        line = next_at(line, steps, 5)
    out[0] = total
    return SURE


cdef bint canonical_form(const char* s) noexcept:
    """``s`` is a number as declaratie._canonical writes it, with at most 15 significant digits and
    1e-4 <= |x| < 1e16 (where Python writes no exponent): then ``s == _canonical(x)`` whenever
    float(s) == x, since two such decimals never round to the same double."""
    cdef const char* p = s
    cdef const char* q
    cdef Py_ssize_t count = 0
    cdef bint negative = p[0] == b"-"[0]
    if negative:
        p += 1
    if p[0] == b"0"[0]:  # "0" or "0.": Python writes no other leading zero
        p += 1
        if p[0] == 0:
            return not negative  # "-0" is never written: _canonical(-0.0) is "0"
        if p[0] != b"."[0]:
            return False
        p = q = p + 1
        while p[0] == b"0"[0]:  # zeros after the point are not significant, but below 1e-4 Python
            p += 1  # writes an exponent
        if p - q > 3:
            return False
    else:
        q = p
        p = digits(p)
        count = p - q
        if count == 0:
            return False
        if p[0] == 0:
            return count <= 15  # an integer
        if p[0] != b"."[0]:
            return False
        p += 1
    if not digit(p[0]):
        return False  # a point needs digits after it
    q = p
    p = digits(p)
    count += p - q
    return p[0] == 0 and (p - 1)[0] != b"0"[0] and count <= 15  # no trailing zero: repr writes none


cdef int s_tr358(Ctx* ctx, xmlNode* totaal) noexcept:
    cdef const char* dc
    cdef const char* s
    cdef double total, written
    cdef int sign
    if raw(child(totaal, b"DebetCredit"), &dc) != SURE:
        return MAYBE
    if strcmp(dc, b"D") == 0:
        sign = 1
    elif strcmp(dc, b"C") == 0:
        sign = -1
    else:
        return CLEAN
    if val(child(totaal, b"TotaalBedrag"), &s) != SURE or not canonical_form(s):
        return MAYBE
    if net(ctx, P323, &total) != SURE or decimal(s, &written) != SURE:
        return MAYBE
    return written == sign * total  # NaN: never equal, so MAYBE


cdef int signed(xmlNode* holder, double* out) noexcept:
    """declaratie._signed: SURE with ``*out`` (NaN for a missing amount), or UNSURE."""
    cdef const char* dc
    cdef double amount
    cdef int r = number(child(holder, b"TotaalBedrag"), &amount)
    if r == UNSURE:
        return UNSURE
    if r == NONE:
        out[0] = NAN
        return SURE
    if raw(child(holder, b"DebetCredit"), &dc) != SURE:
        return UNSURE
    out[0] = -amount if strcmp(dc, b"C") == 0 else amount
    return SURE


cdef int s_tr342(Ctx* ctx, xmlNode* antwoord) noexcept:
    cdef const char* code
    cdef double ingediend, toegekend, total
    cdef bint only_partial = True
    cdef xmlNode* c = child(child(antwoord, b"RetourCodes"), b"RetourCode")
    while c is not NULL:
        if val(c, &code) != SURE:
            return MAYBE
        if not one_of(code, b"0200", b"8001"):
            only_partial = False
        c = after(c, b"RetourCode")
    if signed(child(antwoord, b"TotaalToegekendBedrag"), &toegekend) != SURE:
        return MAYBE
    if not only_partial:
        return toegekend == 0
    if signed(child(antwoord, b"TotaalIngediendBedrag"), &ingediend) != SURE:
        return MAYBE
    if net(ctx, P325, &total) != SURE:
        return MAYBE
    return total == ingediend - toegekend


add("CD060", s_cd060)
add("CD087", s_cd087)
add("CS100", s_cs100)
add("CS325", s_cs325)
add("CS337", s_cs337)
add("CS339", s_cs339)
add("CS340", s_cs340)
add("TR137", s_tr137)
add("TR319", s_tr319)
add("TR335", s_tr335)
add("TR315", s_tr315)
add("TR316", s_tr316)
add("TR416", s_tr416)
add("TR358", s_tr358)
add("TR342", s_tr342)
