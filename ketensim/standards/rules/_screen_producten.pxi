# Screens of producten.py (omvang, budget, product codes and periods of the 301, 315 and 317). Included by _screen.pyx.

from ketensim.standards.rules.producten import PER_PERIOD as _PER_PERIOD_CODES, PERIOD_DATES as _PERIOD_DATES

cdef tuple _PER_PERIOD = codes_of(_PER_PERIOD_CODES)
# (holder name, its start date, its end date) as bytes, from the table CS003's check reads
cdef list _DATES = [(name.encode(), start.encode(), end.encode()) for name, (start, end) in _PERIOD_DATES.items()]


cdef xmlNode* end_date(Ctx* ctx, xmlNode* product) noexcept:
    return child(product, b"ToewijzingEinddatum" if ctx.number == 315 else b"Einddatum")


cdef int after_2020(xmlNode* end) noexcept:
    """producten.after_2020: 1, 0, or -1 when unsure."""
    cdef long long day
    cdef int r
    if end is NULL:
        return 1
    r = ymd(end, 0, &day)
    if r == UNSURE:
        return -1
    return r == SURE and day > 20201231


cdef int s_cd041(Ctx* ctx, xmlNode* product) noexcept:
    cdef int code = filled(at2(product, b"Product", b"Code"))
    return code == 0 or (code == 1 and child(product, b"Omvang") is not NULL)


cdef int s_cd075(Ctx* ctx, xmlNode* product) noexcept:
    cdef int budget = filled(child(product, b"Budget"))
    return budget == 0 or (budget == 1 and filled(end_date(ctx, product)) == 1)


cdef int s_cd076(Ctx* ctx, xmlNode* product) noexcept:
    cdef int week = is_(at2(product, b"Omvang", b"Frequentie"), b"2")
    return week == 0 or (week == 1 and filled(end_date(ctx, product)) == 1)


cdef int s_cd077(Ctx* ctx, xmlNode* product) noexcept:
    cdef int budget = filled(child(product, b"Budget"))
    return budget == 0 or (budget == 1 and child(product, b"Omvang") is NULL)


cdef int s_cd078(Ctx* ctx, xmlNode* product) noexcept:
    return child(product, b"Omvang") is NULL or child(product, b"Budget") is NULL


cdef int s_cd079(Ctx* ctx, xmlNode* product) noexcept:
    cdef int budget = filled(child(product, b"Budget"))
    return budget == 1 or (budget == 0 and child(product, b"Product") is not NULL)


cdef int s_code_needed(Ctx* ctx, xmlNode* product) noexcept:
    cdef int late
    if child(product, b"Omvang") is NULL:
        return CLEAN
    late = after_2020(end_date(ctx, product))
    return late == 0 or (late == 1 and filled(at2(product, b"Product", b"Code")) == 1)


cdef int s_frequentie(Ctx* ctx, xmlNode* product) noexcept:
    cdef const char* s
    cdef int late
    cdef xmlNode* frequentie
    cdef xmlNode* eenheid = at2(product, b"Omvang", b"Eenheid")
    if eenheid is NULL:
        return CLEAN
    if val(eenheid, &s) != SURE:
        return MAYBE
    if not in_codes(s, _PER_PERIOD):
        return CLEAN
    late = after_2020(end_date(ctx, product))
    if late != 1:
        return late == 0
    frequentie = child(eenheid.parent, b"Frequentie")
    if frequentie is NULL or val(frequentie, &s) != SURE:
        return MAYBE
    return one_of(s, b"2", b"4") or strcmp(s, b"6") == 0


cdef int s_cs003(Ctx* ctx, xmlNode* holder) noexcept:
    cdef bytes name, start_name = None, end_name = None
    cdef long long begin, until
    cdef int rb, ru
    cdef xmlNode* end
    cdef xmlNode* start
    for name, start_, end_ in _DATES:
        if strcmp(name, <const char*>holder.name) == 0:
            start_name, end_name = start_, end_
            break
    if start_name is None:
        return MAYBE
    end = child(holder, end_name)
    if end is NULL:
        return CLEAN
    start = child(holder, start_name)
    if start is NULL:
        return MAYBE
    rb, ru = ymd(start, 0, &begin), ymd(end, 10, &until)
    if rb == UNSURE or ru == UNSURE:
        return MAYBE
    return rb == NONE or ru == NONE or begin <= until


cdef int s_cs335(Ctx* ctx, xmlNode* product) noexcept:
    cdef const char* reden
    cdef const char* a
    cdef const char* b
    cdef xmlNode* ingang
    cdef xmlNode* einde
    if raw(child(product, b"RedenWijziging"), &reden) != SURE:
        return MAYBE
    if strcmp(reden, b"13") != 0:
        return CLEAN
    ingang, einde = child(product, b"Ingangsdatum"), child(product, b"Einddatum")
    if ingang is NULL or einde is NULL:
        return CLEAN
    return text(ingang, &a) == SURE and text(einde, &b) == SURE and strcmp(a, b) == 0


cdef int s_cs336(Ctx* ctx, xmlNode* product) noexcept:
    cdef xmlNode* reden = child(product, b"RedenWijziging")
    return reden is NULL or is_(reden, b"01") == 0


add("CD041", s_cd041)
add("CD075", s_cd075)
add("CD076", s_cd076)
add("CD077", s_cd077)
add("CD078", s_cd078)
add("CD079", s_cd079)
add("CD080", s_code_needed)
add("CD095", s_code_needed)
add("CD096", s_code_needed)
add("CS338", s_frequentie)
add("CS343", s_frequentie)
add("CS003", s_cs003)
add("CS335", s_cs335)
add("CS336", s_cs336)
