# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The compiled screen of the business rules: proves in C, on libxml2's own nodes, that a rule reports nothing.

The rules themselves are the Python checks of this package (the specification, with their
explanations and locations). Reading a message through lxml's Python objects costs more than
validating it against its XSD, so before a check runs the engine asks this module's *screen* for
the rule. A screen reads the context element's nodes directly (no Python objects) and answers
``CLEAN`` only when the Python check would surely report nothing there; anything else (a possible
violation, a text that needs whitespace normalising, a CDATA section, a number it does not parse
exactly as Python would) is ``MAYBE``, and the Python check decides. A screen may say ``MAYBE``
too often, never ``CLEAN`` wrongly: ``tests/standards/test_rule_screen.py`` compares every screen
with its check on the per-code table and on arbitrarily changed messages.

The walk is the engine's plan (the context paths of a message type as a tree of steps) in C; it
returns the context elements whose checks must run in Python, each with that check, in walk order.
"""

from libc.math cimport NAN
from libc.string cimport strcmp, strlen, strstr

from lxml.includes cimport tree
from lxml.includes.tree cimport xmlNode

cimport lxml.includes.etreepublic as cetree
from cpython.exc cimport PyErr_Clear, PyErr_Occurred


cdef extern from "Python.h":
    # float()'s own parser: correctly rounded and, unlike strtod, blind to the process's LC_NUMERIC
    double PyOS_string_to_double(const char* s, char** endptr, void* overflow_exception)

cetree.import_lxml__etree()

LXML_BUILT = (<bytes>cetree.LXML_VERSION_STRING).decode()
"""The lxml version this module was compiled against; the engine uses it only with that version."""

# ---------------------------------------------------------------------------------------------
# verdicts and the per-message context

cdef enum:
    MAYBE = 0  # the Python check decides
    CLEAN = 1  # the Python check surely reports nothing on this element

cdef enum:
    UNSURE = 0  # a value this module does not read exactly as the Python helpers do
    SURE = 1  # the value is in the out-parameter
    NONE = 2  # the Python helper gives None (absent, empty)

cdef struct Ctx:
    xmlNode* root
    int number  # the message number: 301, 305 ... 325
    bint ijw
    bint dagtekening_known
    xmlNode* dagtekening

ctypedef int (*Screen)(Ctx*, xmlNode*) noexcept

cdef const char* EMPTY = b""

# ---------------------------------------------------------------------------------------------
# nodes by local name, as Doc.child / Doc.at / Doc.children read them (elements only, first match)

cdef inline bint named(xmlNode* n, const char* name) noexcept:
    return n.type == tree.XML_ELEMENT_NODE and strcmp(<const char*>n.name, name) == 0


cdef xmlNode* child(xmlNode* el, const char* name) noexcept:
    """The first element child of ``el`` named ``name``; NULL when ``el`` is NULL or has none."""
    return NULL if el is NULL else same_or_after(el.children, name)


cdef xmlNode* same_or_after(xmlNode* c, const char* name) noexcept:
    """``c`` or the first sibling after it named ``name``, or NULL."""
    while c is not NULL and not named(c, name):
        c = c.next
    return c


cdef xmlNode* after(xmlNode* c, const char* name) noexcept:
    """The next sibling of ``c`` named ``name``, or NULL."""
    return same_or_after(c.next, name)


cdef xmlNode* before(xmlNode* c, const char* name) noexcept:
    """The previous sibling of ``c`` named ``name``, or NULL."""
    c = c.prev
    while c is not NULL and not named(c, name):
        c = c.prev
    return c


cdef xmlNode* at2(xmlNode* el, const char* a, const char* b) noexcept:
    return child(child(el, a), b)


cdef xmlNode* dagtekening(Ctx* ctx) noexcept:
    """``Header/BerichtIdentificatie/Dagtekening`` (Doc.dagtekening)."""
    if not ctx.dagtekening_known:
        ctx.dagtekening = child(at2(ctx.root, b"Header", b"BerichtIdentificatie"), b"Dagtekening")
        ctx.dagtekening_known = True
    return ctx.dagtekening

# ---------------------------------------------------------------------------------------------
# values, with the semantics of _doc.py: UNSURE wherever C would have to guess


cdef inline bint ws(unsigned char c) noexcept:
    """An ASCII character that str.isspace() calls whitespace."""
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


cdef inline bint is_text(xmlNode* n) noexcept:
    return n.type == tree.XML_TEXT_NODE or n.type == tree.XML_CDATA_SECTION_NODE


cdef int text(xmlNode* el, const char** out) noexcept:
    """``el.text`` (raw): SURE with ``*out`` (b"" for none) when it is one plain text node, else UNSURE."""
    cdef xmlNode* t = el.children
    if t is NULL or t.type == tree.XML_ELEMENT_NODE or t.type == tree.XML_COMMENT_NODE or t.type == tree.XML_PI_NODE:
        out[0] = EMPTY
        return SURE
    if t.type != tree.XML_TEXT_NODE or (t.next is not NULL and not (
            t.next.type == tree.XML_ELEMENT_NODE or t.next.type == tree.XML_COMMENT_NODE
            or t.next.type == tree.XML_PI_NODE)):
        return UNSURE  # CDATA, an entity reference, or text in several nodes
    out[0] = EMPTY if t.content is NULL else <const char*>t.content
    return SURE


cdef int raw(xmlNode* el, const char** out) noexcept:
    """``raw(el)``: the text as written, b"" when ``el`` is absent."""
    if el is NULL:
        out[0] = EMPTY
        return SURE
    return text(el, out)


cdef int val(xmlNode* el, const char** out) noexcept:
    """``value(el)``: SURE when the text needs no whitespace normalising (b"" when absent), else UNSURE."""
    cdef const char* s
    cdef size_t n
    cdef unsigned char first, last
    if el is NULL:
        out[0] = EMPTY
        return SURE
    if text(el, &s) != SURE:
        return UNSURE
    n = strlen(s)
    if n:
        first, last = <unsigned char>s[0], <unsigned char>s[n - 1]
        if ws(first) or ws(last) or first >= 0x80 or last >= 0x80 or strstr(s, b"  ") is not NULL:
            return UNSURE  # Python normalises (or a non-ASCII end that may be Unicode whitespace)
    out[0] = s
    return SURE


cdef int filled(xmlNode* el) noexcept:
    """``filled(el)``: 1, 0, or -1 when unsure (a text of only non-ASCII characters and spaces)."""
    cdef const char* s
    cdef bint other = False
    cdef unsigned char c
    if el is NULL:
        return 0
    if text(el, &s) != SURE:
        return -1
    while s[0]:
        c = <unsigned char>s[0]
        if c >= 0x80:
            other = True
        elif not ws(c):
            return 1  # a visible ASCII character survives normalising
        s += 1
    return -1 if other else 0


cdef int is_(xmlNode* el, const char* want) noexcept:
    """``value(el) == want``: 1, 0, or -1 when unsure."""
    cdef const char* s
    if val(el, &s) != SURE:
        return -1
    return strcmp(s, want) == 0


cdef int ymd(xmlNode* el, int first, long long* out) noexcept:
    """``ymd(el, first)``: SURE with ``*out``, NONE, or UNSURE (anything but digits and dashes)."""
    cdef const char* s
    cdef size_t n
    cdef long long v = 0
    cdef int digits = 0
    if el is NULL:
        return NONE
    if text(el, &s) != SURE:
        return UNSURE
    n = strlen(s)
    if n == 0:
        return NONE
    if (first and n > <size_t>first) or n > 18:
        return UNSURE
    while s[0]:
        if b"0"[0] <= s[0] <= b"9"[0]:
            v = v * 10 + (s[0] - b"0"[0])
            digits += 1
        elif s[0] != b"-"[0]:
            return UNSURE
        s += 1
    if digits == 0:
        return UNSURE
    out[0] = v
    return SURE


cdef int not_after(xmlNode* earlier, xmlNode* later) noexcept:
    """declaratie._not_after: 1 true, 0 false, -1 unsure."""
    cdef long long a, b
    cdef int ra, rb
    if earlier is NULL or later is NULL:
        return 0
    ra, rb = ymd(earlier, 0, &a), ymd(later, 10, &b)
    if ra == UNSURE or rb == UNSURE:
        return -1
    return ra == NONE or rb == NONE or a <= b


cdef inline bint digit(char c) noexcept:
    return b"0"[0] <= c <= b"9"[0]


cdef const char* digits(const char* p) noexcept:
    """``p`` past its leading ASCII digits."""
    while digit(p[0]):
        p += 1
    return p


cdef int decimal(const char* s, double* out) noexcept:
    """A plain decimal ``-?[0-9]+(.[0-9]+)?`` as Python's float() reads it: SURE, NONE (b""), or UNSURE."""
    cdef const char* p = s
    cdef char* end
    if not s[0]:
        return NONE
    if p[0] == b"-"[0]:
        p += 1
    if not digit(p[0]):
        return UNSURE
    p = digits(p)
    if p[0] == b"."[0]:
        if not digit(p[1]):
            return UNSURE
        p = digits(p + 1)
    if p[0]:
        return UNSURE
    out[0] = PyOS_string_to_double(s, &end, NULL)  # as float() reads it, whatever the locale
    if PyErr_Occurred():  # out of memory: no exception may leave this function
        PyErr_Clear()
        return UNSURE
    return SURE


cdef int number(xmlNode* el, double* out) noexcept:
    """``number(el)``: SURE with ``*out``, NONE (absent or empty), or UNSURE."""
    cdef const char* s
    if val(el, &s) != SURE:
        return UNSURE
    return decimal(s, out)


cdef bint one_of(const char* s, const char* a, const char* b) noexcept:
    return strcmp(s, a) == 0 or strcmp(s, b) == 0


cdef bint in_codes(const char* s, tuple codes) noexcept:
    """``s`` is one of ``codes`` (bytes: a rule module's own tuple, see ``codes_of``)."""
    cdef bytes code
    for code in codes:
        if strcmp(s, code) == 0:
            return True
    return False


def codes_of(codes) -> tuple:
    """A rule module's codes as the screens compare them: bytes."""
    return tuple(code.encode() for code in codes)


def steps_of(path: str) -> tuple:
    """A path of local names (``"ProductPeriode/Begindatum"``) as ``path_at`` walks it: its steps as bytes."""
    return tuple(step.encode() for step in path.split("/"))


cdef xmlNode* path_at(xmlNode* el, tuple steps) noexcept:
    """Doc.at over ``steps`` (bytes): the first match at every step."""
    cdef bytes step
    for step in steps:
        el = child(el, step)
        if el is NULL:
            return NULL
    return el

# ---------------------------------------------------------------------------------------------
# the screens, one per rule code, beside the rules they mirror

cdef Screen SCREENS[96]
SCREEN_IDS: dict = {}  # rule code -> index into SCREENS


cdef void add(str code, Screen screen) except *:
    cdef int i = len(SCREEN_IDS)
    if i == 96:
        raise RuntimeError("more screens than SCREENS holds")
    SCREENS[i] = screen
    SCREEN_IDS[code] = i


include "_screen_client.pxi"
include "_screen_persoon.pxi"
include "_screen_producten.pxi"
include "_screen_verzoek.pxi"
include "_screen_duplicates.pxi"
include "_screen_declaratie.pxi"

# ---------------------------------------------------------------------------------------------
# the walk


cdef class Node:
    """A node of a plan in C: the checks on the elements here (with their screens) and the steps below."""

    cdef int n
    cdef int screens[64]  # index into SCREENS, -1: no screen (the check always runs)
    cdef const char* whens[64]  # the rule's ``when`` child, NULL: none
    cdef list payloads  # the engine's (check, rule) per entry, handed back for a MAYBE
    cdef int nb
    cdef const char* steps[32]
    cdef list below  # Node per step
    cdef list keep  # the bytes the C pointers point into


def compile_walk(tuple walk not None, screen_for not None):
    """The engine's plan walk ``(plain, guarded, below)`` as a :class:`Node`.

    ``screen_for(rule)`` gives the rule's code when its screen is to be used, else None.
    """
    cdef Node node = Node()
    plain, guarded, below = walk
    node.payloads, node.below, node.keep = [], [], []
    entries = [(None, check, rule) for check, rule in plain] + list(guarded)
    if len(entries) > 64 or len(below) > 32:
        raise ValueError("a plan node has more checks or steps than the compiled walk holds")
    for when, check, rule in entries:
        code = screen_for(rule)
        node.screens[node.n] = SCREEN_IDS[code] if code is not None else -1
        if when:
            encoded = when.encode()
            node.keep.append(encoded)
            node.whens[node.n] = <const char*>encoded
        else:
            node.whens[node.n] = NULL
        node.payloads.append((check, rule))
        node.n += 1
    for step, sub in below:
        encoded = step.encode()
        node.keep.append(encoded)
        node.steps[node.nb] = <const char*>encoded
        node.below.append(compile_walk(sub, screen_for))
        node.nb += 1
    return node


cdef void visit(Ctx* ctx, xmlNode* el, Node node, list maybe, cetree._Document doc) except *:
    cdef int i, sid
    cdef xmlNode* c
    for i in range(node.n):
        if node.whens[i] is not NULL and child(el, node.whens[i]) is NULL:
            continue  # the rule cannot fire without that child
        sid = node.screens[i]
        if sid >= 0 and SCREENS[sid](ctx, el) == CLEAN:
            continue
        maybe.append((cetree.elementFactory(doc, el), node.payloads[i]))
    for i in range(node.nb):
        c = el.children
        while c is not NULL:
            if named(c, node.steps[i]):
                visit(ctx, c, <Node>node.below[i], maybe, doc)
            c = c.next


cdef Ctx context(cetree._Element root, int number, bint ijw) noexcept:
    cdef Ctx ctx
    ctx.root = root._c_node
    ctx.number = number
    ctx.ijw = ijw
    ctx.dagtekening_known = False
    ctx.dagtekening = NULL
    return ctx


def walk(cetree._Element root not None, Node plan not None, int number, bint ijw):
    """The ``(element, (check, rule))`` pairs whose Python check must run on ``root``, in walk order."""
    cdef Ctx ctx = context(root, number, ijw)
    cdef list maybe = []
    visit(&ctx, root._c_node, plan, maybe, root._doc)
    return maybe


def codes():
    """The rule codes that have a screen."""
    return frozenset(SCREEN_IDS)


def clears(str code not None, cetree._Element element not None, cetree._Element root not None, int number, bint ijw):
    """Whether rule ``code``'s screen proves, alone, that its check reports nothing on ``element`` (for the tests)."""
    cdef Ctx ctx = context(root, number, ijw)
    return SCREENS[SCREEN_IDS[code]](&ctx, element._c_node) == CLEAN
