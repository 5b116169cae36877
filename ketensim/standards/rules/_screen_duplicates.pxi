# Screens of duplicates.py (TR101 doubles, overlapping products, reused references). Included by _screen.pyx.

from ketensim.standards.rules.duplicates import DUPLICATE_KEYS as _DUPLICATE_KEYS, EXEMPT as _EXEMPT_CODES

cdef tuple _EXEMPT = codes_of(_EXEMPT_CODES)

# message number -> [(parent name, child name, ((step, ...), ...) key field paths)], all as bytes
_TR101: dict = {
    int(number): [
        (path.rpartition("/")[2].encode(), name.encode(), tuple(steps_of(f) for f in fields))
        for path, (name, fields) in parents.items()
    ]
    for number, parents in _DUPLICATE_KEYS.items()
}


cdef int same_key(xmlNode* c, xmlNode* other, tuple fields) noexcept:
    """duplicates._same_key: 1, 0, or -1 when unsure."""
    cdef const char* mine
    cdef const char* theirs
    cdef xmlNode* t
    for steps in fields:
        if raw(path_at(c, <tuple>steps), &mine) != SURE:
            return -1
        t = path_at(other, <tuple>steps)
        if mine[0]:
            if raw(t, &theirs) != SURE:
                return -1
            if strcmp(mine, theirs) != 0:
                return 0
        elif t is not NULL:
            return 0
    return 1


cdef int s_tr101(Ctx* ctx, xmlNode* parent) noexcept:
    cdef bytes pname, cname = None
    cdef const char* name
    cdef tuple fields = ()
    cdef xmlNode* c
    cdef xmlNode* s
    for pname, cname_, fields_ in _TR101.get(ctx.number, ()):
        if strcmp(pname, <const char*>parent.name) == 0:
            cname, fields = cname_, fields_
            break
    if cname is None:
        return MAYBE
    name = cname
    if strcmp(name, b"Woonplaatsbeginsel") == 0 and not ctx.ijw:
        return CLEAN
    c = child(parent, name)
    while c is not NULL:  # a double is a later sibling with an earlier one's key
        s = before(c, name)
        while s is not NULL:
            if same_key(c, s, fields) != 0:
                return MAYBE
            s = before(s, name)
        c = after(c, name)
    return CLEAN


cdef int same_product(xmlNode* a, xmlNode* b) noexcept:
    """duplicates.same_product: 1, 0, or -1 when unsure."""
    cdef const char* x
    cdef const char* y
    cdef xmlNode* pa = child(a, b"Product")
    cdef xmlNode* pb = child(b, b"Product")
    cdef xmlNode* cat_a = child(pa, b"Categorie")
    cdef xmlNode* cat_b = child(pb, b"Categorie")
    cdef xmlNode* code_a = child(pa, b"Code")
    cdef xmlNode* code_b = child(pb, b"Code")
    if (cat_a is NULL and code_a is NULL) or (cat_b is NULL and code_b is NULL):
        return 1
    if cat_a is NULL or cat_b is NULL:
        return 0
    if raw(cat_a, &x) != SURE or raw(cat_b, &y) != SURE:
        return -1
    if strcmp(x, y) != 0:
        return 0
    if code_a is not NULL and code_b is not NULL:
        if raw(code_a, &x) != SURE or raw(code_b, &y) != SURE:
            return -1
        return strcmp(x, y) == 0
    return 1


cdef int ignored(xmlNode* p, const char* start, const char* end, bint ignore_changed) noexcept:
    """The overlap rules' 'changed product' exception (TR302): 1, 0, or -1 when unsure."""
    cdef const char* reden
    cdef long long a, b
    cdef int ra, rb, f
    if not ignore_changed:
        return 0
    if raw(child(p, b"RedenWijziging"), &reden) != SURE:
        return -1
    if not one_of(reden, b"01", b"13"):
        return 0
    f = filled(child(p, end))
    if f != 1:
        return f
    ra, rb = ymd(child(p, start), 0, &a), ymd(child(p, end), 0, &b)
    if ra == UNSURE or rb == UNSURE:
        return -1
    return ra == SURE and rb == SURE and a == b


cdef int exempt(Ctx* ctx, xmlNode* p) noexcept:
    """iWmo's categories 11 to 14 may occur more than once: 1, 0, or -1 when unsure."""
    cdef const char* s
    if ctx.ijw:
        return 0
    if val(at2(p, b"Product", b"Categorie"), &s) != SURE:
        return -1
    return in_codes(s, _EXEMPT)


cdef int overlapping(Ctx* ctx, xmlNode* product, const char* start, const char* end, bint ignore_changed) noexcept:
    cdef const char* name = <const char*>product.name
    cdef xmlNode* other
    cdef int r
    if before(product, name) is NULL:
        return CLEAN  # the first of its name has nothing before it
    r = ignored(product, start, end, ignore_changed)
    if r != 0:
        return r == 1
    if exempt(ctx, product) != 0:
        return MAYBE  # exempt (or unsure): the Python check skips, but this screen does not try
    other = before(product, name)
    while other is not NULL:
        r = ignored(other, start, end, ignore_changed)
        if r < 0 or (r == 0 and same_product(product, other) != 0):
            return MAYBE  # the same product twice (or unsure): the Python check compares the periods
        other = before(other, name)
    return CLEAN


cdef int s_tr302(Ctx* ctx, xmlNode* product) noexcept:
    return overlapping(ctx, product, b"Ingangsdatum", b"Einddatum", True)


cdef int s_tr386(Ctx* ctx, xmlNode* product) noexcept:
    return overlapping(ctx, product, b"ToewijzingIngangsdatum", b"ToewijzingEinddatum", False)


cdef int s_tr410(Ctx* ctx, xmlNode* product) noexcept:
    return overlapping(ctx, product, b"GewensteIngangsdatum", b"Einddatum", False)


cdef int s_tr383(Ctx* ctx, xmlNode* product) noexcept:
    cdef const char* v
    cdef const char* r
    cdef xmlNode* ref
    cdef xmlNode* other = before(product, b"AangevraagdProduct")
    if other is NULL:
        return CLEAN
    if val(child(product, b"ReferentieAanbieder"), &v) != SURE:
        return MAYBE
    while other is not NULL:
        ref = child(other, b"ReferentieAanbieder")
        if ref is not NULL and (raw(ref, &r) != SURE or strcmp(r, v) == 0):
            return MAYBE
        other = before(other, b"AangevraagdProduct")
    return CLEAN


add("TR101", s_tr101)
add("TR302", s_tr302)
add("TR386", s_tr386)
add("TR410", s_tr410)
add("TR383", s_tr383)
