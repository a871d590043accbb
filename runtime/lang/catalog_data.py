"""The catalogue entries: every name of the language (LANGUAGE.md §3–§8), one entry each.

Plain data, read through :mod:`recipe.runtime.lang.catalog` (``entries()``, ``lookup()``).
It is imported on every ``recipe lint``, so it holds constructor calls only: no computation
and no imports besides the catalogue's own types.

Conventions:

* ``signature_text`` is set for special forms (and for procedures with several call shapes);
  alternative shapes are separate lines, grammar lines start with two spaces.
* A parameter of type ``STRING`` rejects a syntax object (LLM text not yet unwrapped with
  ``syntax-e``); ``TEXT`` accepts both; ``ANY`` accepts anything.
* ``fan_out`` lists every function argument the entry calls once per item or thunk; its cost
  class is then ``FAN_OUT`` (concurrent) or ``SEQUENTIAL`` (one after another).
* Primitives, combinators, ``context`` and ``token-budget`` are ``protected`` (§6).
"""

from __future__ import annotations

from .catalog import (
    ANY,
    ASYNC_RECURSIVE_KEYWORD,
    AWAIT,
    BOOLEAN,
    BUILTIN,
    CHAR,
    COMBINATOR,
    CONTROL,
    ELEMENT,
    FALSE_OR_NUMBER,
    FAN_OUT,
    HANDLE,
    HANDLES,
    HASH,
    INTEGER,
    INTEGER_OR_FALSE,
    LIST,
    LLM_ASYNC,
    LLM_KEYWORDS,
    LLM_SYNC,
    NAME,
    NATURAL,
    NEVER,
    NUMBER,
    PAIR,
    PARAMETER,
    PRIMITIVE,
    PROCEDURE,
    PYREF,
    PYTHON,
    RECURSIVE_KEYWORD,
    SEQUENTIAL,
    SLEEP,
    SPECIAL_FORM,
    STORE,
    STRING,
    STRINGS,
    SYMBOL,
    SYNTAX,
    SYNTAXES,
    TEXT,
    VALUES,
    VARIABLE,
    VECTOR,
    VOID,
    Entry,
    FanOut,
    Keyword,
    Param,
)

# Fan-out shapes shared by the sequential list procedures (map, filter, …): the function is
# the first argument, the list the second, called one item after another.
_SEQ_FN_LIST = FanOut(func=0, items=1, concurrent=False, window_keyword=None, window_default=None)
_SEQ_FOLD = FanOut(func=0, items=2, concurrent=False, window_keyword=None, window_default=None)
# The same for the procedures that take the list first and the function second (takef, …).
_SEQ_LIST_FN = FanOut(func=1, items=0, concurrent=False, window_keyword=None, window_default=None)

# The list parameters of `map`-like procedures: `lst ...+`.
_LISTS = (Param("lst", LIST), Param("lst", LIST, rest=True))
_CHARS = (Param("char1", CHAR), Param("char2", CHAR), Param("char", CHAR, rest=True))

_FOR_CLAUSES = (
    "  for-clause = [id seq-expr] | [(id ...) seq-expr] | #:when guard-expr"
    " | #:unless guard-expr"
)

_MAX_CONCURRENT_MAP = Keyword(
    "max-concurrent", INTEGER_OR_FALSE, 10, "10",
    "How many calls are kept in flight at once: a rolling window, refilled as each call "
    "finishes. A positive integer, or #f to start every call at once. Default 10.",
    minimum=1)

# `#:max-concurrent` of the combinators that run a list of thunks in strands (vote, ensemble).
_MAX_CONCURRENT_THUNKS = Keyword(
    "max-concurrent", INTEGER_OR_FALSE, None, "#f",
    "How many thunks run at once: a rolling window, refilled as each thunk finishes. A "
    "positive integer, or #f to start every thunk at once. Default #f.",
    minimum=1)

# The keywords of `~a`, `~s` and `~v` (racket/format), which share one implementation.
_TILDE_KEYWORDS = (
    Keyword("separator", STRING, None, "\"\"",
            "Text put between the values. Default \"\"."),
    Keyword("width", INTEGER_OR_FALSE, None, "#f",
            "Exact width: pad or truncate to it; a natural number, or #f for no "
            "constraint. Default #f.", minimum=0),
    Keyword("max-width", NUMBER, None, "+inf.0",
            "Truncate longer results to this many characters; a natural number or "
            "+inf.0. Default +inf.0 (no limit).", minimum=0),
    Keyword("min-width", NATURAL, 0, "0",
            "Pad shorter results to this many characters; a natural number. "
            "Default 0.", minimum=0),
    Keyword("limit-marker", STRING, None, "\"\"",
            "Text that ends a truncated result, e.g. \"...\". Default \"\"."),
    Keyword("align", SYMBOL, "left", "'left", "Where padding goes. Default 'left.",
            choices=("left", "center", "right")),
    Keyword("pad-string", STRING, None, "\" \"",
            "Text used for padding. Default \" \"."),
)

# ~s and ~v: the same keywords, but a space between values and "..." after a truncation
_TILDE_WRITE_KEYWORDS = (
    Keyword("separator", STRING, None, "\" \"",
            "Text put between the values. Default \" \"."),
    *_TILDE_KEYWORDS[1:4],
    Keyword("limit-marker", STRING, None, "\"...\"",
            "Text that ends a truncated result. Default \"...\"."),
    *_TILDE_KEYWORDS[5:],
)

ENTRIES: tuple[Entry, ...] = (
    # ------------------------------------------------------------------------------------
    # §3 Special forms
    # ------------------------------------------------------------------------------------
    Entry(
        "define", SPECIAL_FORM,
        result=VOID,
        signature_text=(
            "(define id expr)\n"
            "(define (id arg ...) body ...+)\n"
            "(define (id arg ... . rest-id) body ...+)\n"
            "  arg = arg-id | [arg-id default-expr] | #:keyword arg-id"
            " | #:keyword [arg-id default-expr]"),
        doc=(
            "Binds `id` to the value of `expr`, or, in the function shape, to a procedure "
            "whose parameters are given as in `lambda`: required positional arguments, "
            "optional ones with a default `[arg-id default-expr]`, keyword arguments "
            "`#:keyword arg-id` (optional when given a default) and a rest list after a dot. "
            "A function body may refer to names defined later in the same scope, so "
            "functions can be mutually recursive, but using a variable before its definition "
            "has run is an error; inside a body, definitions are local to that body. "
            "Redefining a protected name (a primitive, a combinator or `context`) is an "
            "error."),
        example=(
            "(define (greet name #:greeting [greeting \"Hello\"])\n"
            "  (string-append greeting \", \" name))\n"
            "(greet \"Ada\" #:greeting \"Hi\") ; → \"Hi, Ada\""),
    ),
    Entry(
        "lambda", SPECIAL_FORM,
        result=PROCEDURE,
        aliases=("λ",),
        signature_text=(
            "(lambda (arg ...) body ...+)\n"
            "(lambda (arg ... . rest-id) body ...+)\n"
            "(lambda rest-id body ...+)\n"
            "  arg = arg-id | [arg-id default-expr] | #:keyword arg-id"
            " | #:keyword [arg-id default-expr]"),
        doc=(
            "Produces a procedure. Each call binds the arguments to fresh locations and "
            "evaluates the body; the value of the last body form is the result, and a call "
            "in tail position does not grow the stack. Optional positional arguments take "
            "their default when omitted, keyword arguments are passed as `#:keyword value`, "
            "and a rest identifier receives the remaining positional arguments as a list. "
            "Calling the procedure with the wrong number of arguments or an unknown keyword "
            "is an error. `λ` is the same form."),
        example="((lambda (x [y 10]) (+ x y)) 1) ; → 11",
    ),
    Entry(
        "define-values", SPECIAL_FORM,
        result=VOID,
        signature_text="(define-values (id ...) expr)",
        doc=(
            "Evaluates `expr`, which must return as many values as there are `id`s, and binds "
            "each `id` to the corresponding value. Use it with procedures that return "
            "multiple values, such as `split-at`, `partition` and `await-any`. A mismatch "
            "between the number of values and of identifiers is an error."),
        example="(define-values (winner others) (await-any handles))",
    ),
    Entry(
        "let", SPECIAL_FORM,
        signature_text=(
            "(let ([id val-expr] ...) body ...+)\n"
            "(let proc-id ([id init-expr] ...) body ...+)"),
        doc=(
            "The first form evaluates the `val-expr`s left to right, binds each `id` to its "
            "value in a new scope (the `val-expr`s do not see each other's bindings) and "
            "evaluates the body; the last body form gives the result. The second form, named "
            "`let`, also binds `proc-id` inside the body to a procedure whose parameters are "
            "the `id`s and whose body is `body`, and calls it with the `init-expr` values: a "
            "loop. Calls to `proc-id` in tail position are proper tail calls, so a loop of a "
            "million iterations runs in constant stack."),
        example=(
            "(let loop ([i 0] [acc '()])\n"
            "  (if (= i 3) (reverse acc) (loop (add1 i) (cons i acc)))) ; → '(0 1 2)"),
    ),
    Entry(
        "let*", SPECIAL_FORM,
        signature_text="(let* ([id val-expr] ...) body ...+)",
        doc=(
            "Like `let`, but binds the identifiers one after another, so each `val-expr` sees "
            "the bindings made before it. An `id` may appear more than once; the later "
            "binding shadows the earlier one."),
        example="(let* ([x 2] [y (* x 10)]) (+ x y)) ; → 22",
    ),
    Entry(
        "letrec", SPECIAL_FORM,
        signature_text="(letrec ([id val-expr] ...) body ...+)",
        doc=(
            "Like `let`, but every `id` is in scope in every `val-expr`, so the bound "
            "procedures can refer to themselves and to each other (mutual recursion). "
            "Referring to an `id` before its value has been computed is an error."),
        example=(
            "(letrec ([even? (lambda (n) (if (zero? n) #t (odd? (sub1 n))))]\n"
            "         [odd? (lambda (n) (if (zero? n) #f (even? (sub1 n))))])\n"
            "  (even? 10)) ; → #t"),
    ),
    Entry(
        "let-values", SPECIAL_FORM,
        signature_text="(let-values ([(id ...) val-expr] ...) body ...+)",
        doc=(
            "Like `let`, but each `val-expr` returns multiple values, bound to the "
            "identifiers of its clause. The number of values must match the number of "
            "identifiers, else an error is raised."),
        example="(let-values ([(a b) (split-at '(1 2 3 4) 1)]) b) ; → '(2 3 4)",
    ),
    Entry(
        "let*-values", SPECIAL_FORM,
        signature_text="(let*-values ([(id ...) val-expr] ...) body ...+)",
        doc=(
            "Like `let-values`, but the clauses are bound one after another, so each "
            "`val-expr` sees the identifiers bound by the clauses before it."),
        example=(
            "(let*-values ([(a b) (values 1 2)] [(c) (values (+ a b))]) c) ; → 3"),
    ),
    Entry(
        "if", SPECIAL_FORM,
        signature_text="(if test-expr then-expr else-expr)",
        doc=(
            "Evaluates `test-expr`; if it produces any value other than `#f`, evaluates "
            "`then-expr`, otherwise `else-expr`, and returns that value. Both branches are "
            "required, as in Racket; use `when` or `unless` for a one-armed conditional. "
            "The chosen branch is in tail position."),
        example="(if (> (length items) 10) \"many\" \"few\") ; → \"few\"",
    ),
    Entry(
        "cond", SPECIAL_FORM,
        signature_text=(
            "(cond cond-clause ...)\n"
            "  cond-clause = [test-expr then-body ...+] | [else then-body ...+]"
            " | [test-expr => proc-expr] | [test-expr]"),
        doc=(
            "Evaluates the `test-expr`s in order until one produces a true value (anything "
            "but `#f`), then evaluates that clause's body and returns the value of its last "
            "form. An `else` clause, which must come last, always matches. In a "
            "`[test-expr => proc-expr]` clause the value of the test is passed to the "
            "procedure; a clause with only a test returns the test's value. When no clause "
            "matches, the result is `void`."),
        example=(
            "(cond [(string-prefix? s \"#\") 'heading]\n"
            "      [(string=? s \"\") 'blank]\n"
            "      [else 'text])"),
    ),
    Entry(
        "case", SPECIAL_FORM,
        signature_text=(
            "(case val-expr case-clause ...)\n"
            "  case-clause = [(datum ...) then-body ...+] | [else then-body ...+]"),
        doc=(
            "Evaluates `val-expr` and selects the first clause that lists a datum `equal?` "
            "to the value; the datums are not evaluated. An `else` clause, which must come "
            "last, matches any value. When no clause matches, the result is `void`."),
        example="(case (string->symbol \"b\") [(a) 1] [(b c) 2] [else 0]) ; → 2",
    ),
    Entry(
        "when", SPECIAL_FORM,
        signature_text="(when test-expr body ...+)",
        doc=(
            "Evaluates `test-expr`; if the result is not `#f`, evaluates the body forms and "
            "returns the value of the last one. Otherwise the result is `void`."),
        example="(when (null? items) (finish-error \"no input\"))",
    ),
    Entry(
        "unless", SPECIAL_FORM,
        signature_text="(unless test-expr body ...+)",
        doc=(
            "Evaluates `test-expr`; if the result is `#f`, evaluates the body forms and "
            "returns the value of the last one. Otherwise the result is `void`."),
        example="(unless (string? text) (error 'summarise \"expected a string, got ~a\" text))",
    ),
    Entry(
        "and", SPECIAL_FORM,
        signature_text="(and expr ...)",
        doc=(
            "Evaluates the `expr`s left to right and stops at the first that produces `#f`, "
            "returning `#f`; otherwise returns the value of the last `expr`. `(and)` is "
            "`#t`. The last `expr` is in tail position."),
        example="(and (pair? xs) (string? (car xs)) (car xs)) ; → the first string, or #f",
    ),
    Entry(
        "or", SPECIAL_FORM,
        signature_text="(or expr ...)",
        doc=(
            "Evaluates the `expr`s left to right and returns the first value that is not "
            "`#f`, without evaluating the rest; returns `#f` if all are `#f`. `(or)` is "
            "`#f`. Handy for defaults: `(or (get-context \"style\") \"plain\")`."),
        example="(or (restore \"summary\") \"none yet\") ; → \"none yet\" on a first run",
    ),
    Entry(
        "begin", SPECIAL_FORM,
        signature_text="(begin form ...+)",
        doc=(
            "Evaluates the forms in order and returns the value of the last one. At the top "
            "level, definitions inside `begin` are top-level definitions."),
        example="(begin (displayln \"starting\") (+ 1 2)) ; prints starting, → 3",
    ),
    Entry(
        "quote", SPECIAL_FORM,
        signature_text="(quote datum)\n'datum",
        doc=(
            "Returns `datum` as data, without evaluating it: a symbol stays a symbol, a "
            "parenthesised form becomes a list. `'datum` is the usual shorthand."),
        example="(quote (a b c)) ; → '(a b c)",
    ),
    Entry(
        "quasiquote", SPECIAL_FORM,
        signature_text="(quasiquote datum)\n`datum",
        doc=(
            "Like `quote`, except that parts of `datum` marked with `unquote` (`,expr`) are "
            "evaluated and inserted, and parts marked with `unquote-splicing` (`,@expr`) are "
            "evaluated to a list whose elements are spliced in. Quasiquotes nest: inner "
            "levels are left quoted."),
        example=(
            "(let ([n 2] [xs '(3 4)]) `(1 ,n ,@xs)) ; → '(1 2 3 4)\n"
            "(quasiquote (1 (unquote (+ 1 1)))) ; → '(1 2)"),
    ),
    Entry(
        "unquote", SPECIAL_FORM,
        signature_text="(unquote expr)\n,expr",
        doc=(
            "Inside `quasiquote`, evaluates `expr` and inserts its value. Using it outside a "
            "quasiquote is a syntax error."),
        example=(
            "`(total ,(+ 1 2)) ; → '(total 3)\n"
            "(quasiquote (total (unquote (+ 1 2)))) ; → '(total 3)"),
    ),
    Entry(
        "unquote-splicing", SPECIAL_FORM,
        signature_text="(unquote-splicing expr)\n,@expr",
        doc=(
            "Inside `quasiquote`, evaluates `expr`, which must produce a list, and splices "
            "its elements into the surrounding list. Using it outside a quasiquote, or on a "
            "value that is not a list, is an error."),
        example=(
            "`(start ,@(list 1 2) end) ; → '(start 1 2 end)\n"
            "(quasiquote (start (unquote-splicing (list 1 2)))) ; → '(start 1 2)"),
    ),
    Entry(
        "set!", SPECIAL_FORM,
        result=VOID,
        signature_text="(set! id expr)",
        doc=(
            "Evaluates `expr` and stores its value in the existing variable `id`, which must "
            "be a user variable bound by `define`, `let`, a procedure parameter and so on. "
            "Assigning to a protected name (a primitive, a combinator or `context`) is an "
            "error; assigning to a name that was never defined is an error at run time and "
            "a lint warning."),
        example="(define count 0)\n(set! count (add1 count)) ; count is now 1",
    ),
    Entry(
        "parameterize", SPECIAL_FORM,
        signature_text="(parameterize ([param-expr value-expr] ...) body ...+)",
        doc=(
            "Evaluates the body with each parameter (such as `token-budget`) set to the "
            "corresponding value; the previous values are restored when the body returns or "
            "raises. The setting is dynamic: it applies to everything called from the body, "
            "including LLM calls made inside functions. Nested `parameterize` forms are "
            "independent scopes."),
        example=(
            "(parameterize ([token-budget 50000])\n"
            "  (map-async summarise-async chunks)) ; the calls may spend at most 50,000 tokens"),
    ),
    Entry(
        "with-handlers", SPECIAL_FORM,
        signature_text="(with-handlers ([pred-expr handler-expr] ...) body ...+)",
        doc=(
            "Evaluates the body; if it raises a value `v`, the handlers are tried in order "
            "and the first whose predicate accepts `v` is called with `v` in place of the "
            "whole form, its result becoming the result. A raised value no predicate accepts "
            "propagates. Use `exn:fail?` to catch errors and `exn-message` to read their "
            "message. `(finish v)` is not an error and passes through."),
        example=(
            "(with-handlers ([exn:fail? (lambda (e) (exn-message e))])\n"
            "  (error 'parse \"bad input\")) ; → \"parse: bad input\""),
    ),
    Entry(
        "try", SPECIAL_FORM,
        protected=True,
        signature_text="(try expr on-error handler-expr)",
        doc=(
            "Evaluates `expr` and returns its value; if evaluating it raises any error, "
            "calls `(handler message)` with the error message as a string and returns that "
            "instead. `on-error` is literal syntax. Shorthand for `with-handlers` with "
            "`exn:fail?`, convenient inside the function given to `map-async` so that one "
            "failing item does not fail the whole fan-out."),
        example=(
            "(try (string->number (syntax-e (llm-query #:instruction \"Give a number.\")))\n"
            "     on-error (lambda (msg) #f))"),
    ),
    Entry(
        "for", SPECIAL_FORM,
        result=VOID,
        signature_text="(for (for-clause ...) body ...+)\n" + _FOR_CLAUSES,
        doc=(
            "Iterates the body for its side effects and returns `void`. Several "
            "`[id seq-expr]` clauses advance in parallel and stop with the shortest "
            "sequence; a `#:when guard` clause skips the iterations where the guard is `#f` "
            "(and nests the clauses after it), `#:unless guard` the opposite. A sequence is "
            "a list, a vector, a string, a hash, a non-negative integer n (0 to n−1), or the "
            "result of `in-list`, `in-range`, `in-naturals`, `in-hash` or `in-string`."),
        example="(for ([x '(1 2 3)] #:when (odd? x)) (displayln x)) ; prints 1 and 3",
    ),
    Entry(
        "for/list", SPECIAL_FORM,
        result=LIST,
        signature_text="(for/list (for-clause ...) body ...+)\n" + _FOR_CLAUSES,
        doc=(
            "Like `for`, but collects the value of the body of each iteration into a list, "
            "in order; iterations skipped by `#:when`/`#:unless` contribute nothing. The "
            "body runs one iteration after another: an `llm-query` in it makes one call at "
            "a time (use `map-async` with `llm-query-async` to run them concurrently)."),
        example="(for/list ([x (in-range 4)] #:unless (= x 2)) (* x x)) ; → '(0 1 9)",
    ),
    Entry(
        "for/fold", SPECIAL_FORM,
        signature_text=(
            "(for/fold ([accum-id init-expr] ...) (for-clause ...) body ...+)\n"
            + _FOR_CLAUSES),
        doc=(
            "Iterates like `for`, threading accumulators: each `accum-id` starts as its "
            "`init-expr` and is rebound, for each iteration, to the value(s) of the body — "
            "which must return one value per accumulator. The result is the final "
            "accumulator values (several values when there are several accumulators)."),
        example="(for/fold ([total 0]) ([x '(1 2 3)]) (+ total x)) ; → 6",
    ),
    Entry(
        "for/sum", SPECIAL_FORM,
        result=NUMBER,
        signature_text="(for/sum (for-clause ...) body ...+)\n" + _FOR_CLAUSES,
        doc=(
            "Iterates like `for` and adds up the values of the body, which must be numbers; "
            "the result is 0 when there is no iteration."),
        example="(for/sum ([s '(\"ab\" \"cde\")]) (string-length s)) ; → 5",
    ),
    Entry(
        "for/first", SPECIAL_FORM,
        signature_text="(for/first (for-clause ...) body ...+)\n" + _FOR_CLAUSES,
        doc=(
            "Iterates like `for` but stops after the first iteration that runs the body, "
            "returning the body's value; returns `#f` if the body never runs. Combine with "
            "`#:when` to find the first matching element."),
        example="(for/first ([x '(3 8 10)] #:when (even? x)) x) ; → 8",
    ),
    Entry(
        "for/and", SPECIAL_FORM,
        signature_text="(for/and (for-clause ...) body ...+)\n" + _FOR_CLAUSES,
        doc=(
            "Iterates like `for`, stopping as soon as the body produces `#f` and returning "
            "`#f`; otherwise returns the value of the last iteration, or `#t` when there is "
            "no iteration."),
        example="(for/and ([s '(\"a\" \"b\")]) (string? s)) ; → #t",
    ),
    Entry(
        "for/or", SPECIAL_FORM,
        signature_text="(for/or (for-clause ...) body ...+)\n" + _FOR_CLAUSES,
        doc=(
            "Iterates like `for`, stopping at the first iteration whose body produces a "
            "value other than `#f` and returning that value; returns `#f` when every "
            "iteration produces `#f` or there is none."),
        example="(for/or ([x '(1 4 5)]) (and (even? x) x)) ; → 4",
    ),
    Entry(
        "for*/list", SPECIAL_FORM,
        result=LIST,
        signature_text="(for*/list (for-clause ...) body ...+)\n" + _FOR_CLAUSES,
        doc=(
            "Like `for/list`, but the clauses are nested rather than parallel: the last "
            "clause varies fastest, as in nested loops, and each clause sees the "
            "identifiers bound by the clauses before it."),
        example="(for*/list ([x '(1 2)] [y '(a b)]) (list x y)) ; → '((1 a) (1 b) (2 a) (2 b))",
    ),
    # Sequence constructors used in `for` clauses (procedures).
    Entry(
        "in-list", BUILTIN,
        params=(Param("lst", LIST),),
        result=ANY,
        doc=(
            "Returns a sequence of the elements of `lst`, for use in a `for` clause. "
            "Raises an error if `lst` is not a list. Writing the list directly also works; "
            "`in-list` states the intent and checks the argument."),
        example="(for/list ([x (in-list '(1 2 3))]) (* 2 x)) ; → '(2 4 6)",
    ),
    Entry(
        "in-range", BUILTIN,
        params=(Param("end", NUMBER), Param("end", NUMBER, optional=True),
                Param("step", NUMBER, optional=True, default="1")),
        result=ANY,
        signature_text="(in-range end) → sequence\n(in-range start end [step]) → sequence",
        doc=(
            "Returns a sequence of the numbers from `start` (default 0) up to but not "
            "including `end`, going by `step` (default 1; a negative step counts down, "
            "stopping above `end`). Like `range`, but produces the numbers lazily for a "
            "`for` clause."),
        example="(for/list ([i (in-range 1 10 3)]) i) ; → '(1 4 7)",
    ),
    Entry(
        "in-naturals", BUILTIN,
        params=(Param("start", NATURAL, optional=True, default="0"),),
        result=ANY,
        doc=(
            "Returns the infinite sequence of exact integers `start`, `start`+1, … (default "
            "start 0). Pair it with a finite sequence in the same `for` to number its "
            "elements."),
        example=(
            "(for/list ([s '(\"a\" \"b\")] [i (in-naturals 1)]) (format \"~a. ~a\" i s))"
            " ; → '(\"1. a\" \"2. b\")"),
    ),
    Entry(
        "in-hash", BUILTIN,
        params=(Param("hash", HASH),),
        result=ANY,
        doc=(
            "Returns a sequence of the key/value pairs of `hash`, two values per element: "
            "bind them with a clause of the form `[(k v) (in-hash h)]`. The order of the "
            "pairs is unspecified."),
        example="(for/list ([(k v) (in-hash (hash 'a 1))]) (list k v)) ; → '((a 1))",
    ),
    Entry(
        "in-string", BUILTIN,
        params=(Param("str", STRING),),
        result=ANY,
        doc=(
            "Returns a sequence of the characters of `str`. Raises an error if `str` is not "
            "a string (LLM text must be unwrapped with `syntax-e` first)."),
        example="(for/list ([c (in-string \"abc\")]) c) ; → '(#\\a #\\b #\\c)",
    ),
    Entry(
        "in-vector", BUILTIN,
        params=(Param("vec", VECTOR),),
        result=ANY,
        doc=(
            "Returns a sequence of the elements of the vector `vec`, in order, for use in a "
            "`for` clause. Raises an error if `vec` is not a vector."),
        example="(for/list ([x (in-vector (vector 1 2 3))]) (* 10 x)) ; → '(10 20 30)",
    ),
    Entry(
        "in-hash-keys", BUILTIN,
        params=(Param("hash", HASH),),
        result=ANY,
        doc=(
            "Returns a sequence of the keys of `hash`, one value per element, for use in a "
            "`for` clause. The order of the keys is unspecified."),
        example="(for/list ([k (in-hash-keys (hash 'a 1))]) k) ; → '(a)",
    ),
    Entry(
        "in-hash-values", BUILTIN,
        params=(Param("hash", HASH),),
        result=ANY,
        doc=(
            "Returns a sequence of the values of `hash`, one value per element, for use in a "
            "`for` clause. The order of the values is unspecified."),
        example="(for/sum ([v (in-hash-values (hash 'a 1 'b 2))]) v) ; → 3",
    ),
    Entry(
        "in-indexed", BUILTIN,
        params=(Param("seq"),),
        result=ANY,
        doc=(
            "Returns a sequence with two values per element: each element of the sequence "
            "`seq` (a list, vector, string, range …) and its position, counting from 0. Bind "
            "them with a clause of the form `[(x i) (in-indexed seq)]`."),
        example="(for/list ([(x i) (in-indexed '(a b))]) (list i x)) ; → '((0 a) (1 b))",
    ),
    Entry(
        "sequence->list", BUILTIN,
        params=(Param("seq"),),
        result=LIST,
        doc=(
            "Returns a list of the elements of the sequence `seq`: a list, a vector, a string "
            "(its characters), a non-negative integer n (0 to n−1), or the result of "
            "`in-range`, `in-string` and the other `in-` procedures. An infinite sequence, "
            "such as `(in-naturals)`, never ends."),
        example="(sequence->list (in-range 1 4)) ; → '(1 2 3)",
    ),
    Entry(
        "sequence?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` can be iterated by a `for` clause — a list or pair, a "
            "vector, a string, a hash, a non-negative exact integer, or the result of "
            "`in-range`, `in-naturals` and the other `in-` procedures — `#f` otherwise."),
        example="(sequence? \"abc\") ; → #t",
    ),
    # ------------------------------------------------------------------------------------
    # §4 Built-in procedures: lists
    # ------------------------------------------------------------------------------------
    Entry(
        "list", BUILTIN,
        params=(Param("v", rest=True),),
        result=LIST,
        doc="Returns a newly allocated list containing the `v`s as its elements, in order.",
        example="(list 1 \"two\" 'three) ; → '(1 \"two\" three)",
    ),
    Entry(
        "cons", BUILTIN,
        params=(Param("a"), Param("d")),
        result=PAIR,
        doc=(
            "Returns a newly allocated pair whose first element is `a` and second element "
            "is `d`. When `d` is a list, the result is the list `d` with `a` in front."),
        example="(cons 1 '(2 3)) ; → '(1 2 3)",
    ),
    Entry(
        "list*", BUILTIN,
        params=(Param("v"), Param("v", rest=True)),
        signature_text="(list* v ... tail) → any",
        doc=(
            "Like `list`, but the last argument is the tail of the result: returns the other "
            "`v`s, in order, in front of `tail`. The result is a list when `tail` is one and "
            "an improper list otherwise; `(list* tail)` is `tail`. At least one argument is "
            "required."),
        example="(list* 1 2 '(3 4)) ; → '(1 2 3 4)",
    ),
    Entry(
        "car", BUILTIN,
        params=(Param("p", PAIR),),
        result=ELEMENT,
        doc=(
            "Returns the first element of the pair `p`. Raises an error if `p` is not a "
            "pair — in particular on the empty list."),
        example="(car '(a b c)) ; → 'a",
    ),
    Entry(
        "cdr", BUILTIN,
        params=(Param("p", PAIR),),
        doc=(
            "Returns the second element of the pair `p`; for a list, the list without its "
            "first element. Raises an error if `p` is not a pair."),
        example="(cdr '(a b c)) ; → '(b c)",
    ),
    Entry(
        "cadr", BUILTIN,
        params=(Param("v", PAIR),),
        result=ELEMENT,
        doc=(
            "Returns `(car (cdr v))`: the second element of a list. Raises an error if `v` "
            "has fewer than two elements."),
        example="(cadr '(a b c)) ; → 'b",
    ),
    Entry(
        "caddr", BUILTIN,
        params=(Param("v", PAIR),),
        result=ELEMENT,
        doc=(
            "Returns `(car (cdr (cdr v)))`: the third element of a list. Raises an error if "
            "`v` has fewer than three elements."),
        example="(caddr '(a b c)) ; → 'c",
    ),
    Entry(
        "caar", BUILTIN,
        params=(Param("v", PAIR),),
        doc=(
            "Returns `(car (car v))`: the first element of the first element of `v`, e.g. the "
            "first key of an association list. Raises an error if `v` or its first element "
            "is not a pair."),
        example="(caar '((a . 1) (b . 2))) ; → 'a",
    ),
    Entry(
        "cdar", BUILTIN,
        params=(Param("v", PAIR),),
        doc=(
            "Returns `(cdr (car v))`: the rest of the first element of `v`, e.g. the first "
            "value of an association list. Raises an error if `v` or its first element is "
            "not a pair."),
        example="(cdar '((a . 1) (b . 2))) ; → 1",
    ),
    Entry(
        "cddr", BUILTIN,
        params=(Param("v", PAIR),),
        doc=(
            "Returns `(cdr (cdr v))`: a list without its first two elements. Raises an error "
            "if `v` has fewer than two elements."),
        example="(cddr '(a b c)) ; → '(c)",
    ),
    Entry(
        "cdddr", BUILTIN,
        params=(Param("v", PAIR),),
        doc=(
            "Returns `(cdr (cdr (cdr v)))`: a list without its first three elements. Raises "
            "an error if `v` has fewer than three elements."),
        example="(cdddr '(a b c d)) ; → '(d)",
    ),
    Entry(
        "cadar", BUILTIN,
        params=(Param("v", PAIR),),
        doc=(
            "Returns `(car (cdr (car v)))`: the second element of the first element of `v`, "
            "e.g. of the first row of a list of lists. Raises an error if there is no such "
            "element."),
        example="(cadar '((a b) (c d))) ; → 'b",
    ),
    Entry(
        "cddar", BUILTIN,
        params=(Param("v", PAIR),),
        doc=(
            "Returns `(cdr (cdr (car v)))`: the first element of `v` without its first two "
            "elements. Raises an error if the first element has fewer than two elements."),
        example="(cddar '((a b c) (d))) ; → '(c)",
    ),
    Entry(
        "caddar", BUILTIN,
        params=(Param("v", PAIR),),
        doc=(
            "Returns `(car (cdr (cdr (car v))))`: the third element of the first element of "
            "`v`. Raises an error if there is no such element."),
        example="(caddar '((a b c) (d))) ; → 'c",
    ),
    Entry(
        "first", BUILTIN,
        params=(Param("lst", LIST),),
        result=ELEMENT,
        doc=(
            "Returns the first element of the list `lst`. Raises an error when `lst` is "
            "empty or not a proper list (unlike `car`, which accepts any pair)."),
        example="(first '(1 2 3)) ; → 1",
    ),
    Entry(
        "second", BUILTIN,
        params=(Param("lst", LIST),),
        result=ELEMENT,
        doc="Returns the second element of the list `lst`; an error if it has fewer than two.",
        example="(second '(1 2 3)) ; → 2",
    ),
    Entry(
        "third", BUILTIN,
        params=(Param("lst", LIST),),
        result=ELEMENT,
        doc="Returns the third element of the list `lst`; an error if it has fewer than three.",
        example="(third '(1 2 3)) ; → 3",
    ),
    Entry(
        "fourth", BUILTIN,
        params=(Param("lst", LIST),),
        result=ELEMENT,
        doc="Returns the fourth element of the list `lst`; an error if it has fewer than four.",
        example="(fourth '(1 2 3 4 5 6)) ; → 4",
    ),
    Entry(
        "fifth", BUILTIN,
        params=(Param("lst", LIST),),
        result=ELEMENT,
        doc="Returns the fifth element of the list `lst`; an error if it has fewer than five.",
        example="(fifth '(1 2 3 4 5 6)) ; → 5",
    ),
    Entry(
        "sixth", BUILTIN,
        params=(Param("lst", LIST),),
        result=ELEMENT,
        doc="Returns the sixth element of the list `lst`; an error if it has fewer than six.",
        example="(sixth '(1 2 3 4 5 6)) ; → 6",
    ),
    Entry(
        "rest", BUILTIN,
        params=(Param("lst", LIST),),
        result=LIST,
        doc=(
            "Returns the list `lst` without its first element. Raises an error when `lst` "
            "is empty or not a list."),
        example="(rest '(1 2 3)) ; → '(2 3)",
    ),
    Entry(
        "last", BUILTIN,
        params=(Param("lst", LIST),),
        result=ELEMENT,
        doc="Returns the last element of the non-empty list `lst`; an error on the empty list.",
        example="(last '(1 2 3)) ; → 3",
    ),
    Entry(
        "last-pair", BUILTIN,
        params=(Param("p", PAIR),),
        result=PAIR,
        doc=(
            "Returns the last pair of `p`, a list or an improper list: for a list, the "
            "one-element list holding its last element. Raises an error if `p` is not a pair "
            "(in particular on the empty list)."),
        example="(last-pair '(1 2 3)) ; → '(3)",
    ),
    Entry(
        "empty?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is the empty list `'()`, `#f` otherwise. Same as `null?`.",
        example="(empty? '()) ; → #t",
    ),
    Entry(
        "null?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is the empty list `'()`, `#f` otherwise. An empty string "
            "is not null: test it with `string=?` or `non-empty-string?`."),
        example="(null? (filter odd? '(2 4))) ; → #t",
    ),
    Entry(
        "pair?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a pair — any non-empty list is one — `#f` otherwise.",
        example="(pair? '(1)) ; → #t",
    ),
    Entry(
        "cons?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a pair — any non-empty list is one — `#f` otherwise. Same as `pair?`.",
        example="(cons? '()) ; → #f",
    ),
    Entry(
        "list?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is a proper list: the empty list, or a pair whose second "
            "element is a list."),
        example="(list? '(1 2)) ; → #t",
    ),
    Entry(
        "length", BUILTIN,
        params=(Param("lst", LIST),),
        result=NATURAL,
        doc=(
            "Returns the number of elements of the list `lst`. Raises an error if `lst` is "
            "not a list; for a string use `string-length`."),
        example="(length '(a b c)) ; → 3",
    ),
    Entry(
        "append", BUILTIN,
        # Every argument but the last must be a list; the last may be any value. A rest
        # parameter has one type, so it is `any` here (the runtime checks the others).
        params=(Param("lst", ANY, rest=True),),
        result=LIST,
        signature_text="(append lst ...) → list\n(append lst ... v) → any",
        doc=(
            "Returns a list with the elements of all the `lst`s, in order, followed by the "
            "last argument `v`, which is not copied. `(append)` is `'()`. Every argument but "
            "the last must be a list; when the last is not a list the result is an improper "
            "list, as in Racket: `(append '(1) 2)` is `'(1 . 2)`. To join strings use "
            "`string-append`."),
        example="(append '(1 2) '(3) '()) ; → '(1 2 3)",
    ),
    Entry(
        "append*", BUILTIN,
        params=(Param("lst", ANY), Param("lst", ANY, rest=True)),
        result=LIST,
        signature_text="(append* lst ... lsts) → list",
        doc=(
            "Like `append`, but the last argument is a list of lists whose elements are "
            "appended after the `lst`s: `(append* lst ... lsts)` is "
            "`(apply append lst ... lsts)`. Handy to flatten one level of a list of lists."),
        example="(append* '(1) '((2 3) (4))) ; → '(1 2 3 4)",
    ),
    Entry(
        "reverse", BUILTIN,
        params=(Param("lst", LIST),),
        result=LIST,
        doc="Returns a list with the elements of `lst` in reverse order.",
        example="(reverse '(1 2 3)) ; → '(3 2 1)",
    ),
    Entry(
        "list-ref", BUILTIN,
        params=(Param("lst", LIST), Param("pos", NATURAL)),
        result=ELEMENT,
        doc=(
            "Returns the element of `lst` at position `pos`, counting from 0. Raises an "
            "error if the list has `pos` or fewer elements."),
        example="(list-ref '(a b c) 1) ; → 'b",
    ),
    Entry(
        "list-tail", BUILTIN,
        params=(Param("lst", LIST), Param("pos", NATURAL)),
        doc=(
            "Returns the list after the first `pos` elements of `lst` (shared, not "
            "copied). Raises an error if the list has fewer than `pos` elements."),
        example="(list-tail '(a b c d) 2) ; → '(c d)",
    ),
    Entry(
        "list-set", BUILTIN,
        params=(Param("lst", LIST), Param("pos", NATURAL), Param("value")),
        result=LIST,
        doc=(
            "Returns a copy of `lst` whose element at position `pos` (counting from 0) is "
            "`value`; `lst` itself is unchanged. Raises an error if the list has `pos` or "
            "fewer elements."),
        example="(list-set '(a b c) 1 'x) ; → '(a x c)",
    ),
    Entry(
        "take", BUILTIN,
        params=(Param("lst", LIST), Param("pos", NATURAL)),
        result=LIST,
        doc=(
            "Returns a list of the first `pos` elements of `lst`. Raises an error if `lst` "
            "has fewer than `pos` elements (guard with `(min pos (length lst))`)."),
        example="(take '(1 2 3) 2) ; → '(1 2)",
    ),
    Entry(
        "drop", BUILTIN,
        params=(Param("lst", LIST), Param("pos", NATURAL)),
        result=LIST,
        doc=(
            "Returns `lst` without its first `pos` elements. Raises an error if `lst` has "
            "fewer than `pos` elements."),
        example="(drop '(1 2 3) 2) ; → '(3)",
    ),
    Entry(
        "take-right", BUILTIN,
        params=(Param("lst", LIST), Param("pos", NATURAL)),
        result=LIST,
        doc=(
            "Returns a list of the last `pos` elements of `lst`. Raises an error if `lst` "
            "has fewer than `pos` elements."),
        example="(take-right '(1 2 3) 2) ; → '(2 3)",
    ),
    Entry(
        "drop-right", BUILTIN,
        params=(Param("lst", LIST), Param("pos", NATURAL)),
        result=LIST,
        doc=(
            "Returns `lst` without its last `pos` elements. Raises an error if `lst` has "
            "fewer than `pos` elements."),
        example="(drop-right '(1 2 3) 2) ; → '(1)",
    ),
    Entry(
        "split-at", BUILTIN,
        params=(Param("lst", LIST), Param("pos", NATURAL)),
        result=VALUES,
        doc=(
            "Returns two values: `(take lst pos)` and `(drop lst pos)`. Raises an error if "
            "`lst` has fewer than `pos` elements. Bind the results with `define-values` or "
            "`let-values`."),
        example="(split-at '(1 2 3 4) 1) ; → (values '(1) '(2 3 4))",
    ),
    Entry(
        "takef", BUILTIN,
        params=(Param("lst", LIST), Param("pred", PROCEDURE)),
        result=LIST,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_LIST_FN,),
        doc=(
            "Returns the longest prefix of `lst` whose elements all make `pred` return a "
            "value other than `#f`: the elements before the first one `pred` rejects. Note "
            "the argument order: the list comes first."),
        example="(takef '(2 4 5 6) even?) ; → '(2 4)",
    ),
    Entry(
        "dropf", BUILTIN,
        params=(Param("lst", LIST), Param("pred", PROCEDURE)),
        result=LIST,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_LIST_FN,),
        doc=(
            "Returns `lst` without its longest prefix of elements that make `pred` return a "
            "value other than `#f`: the tail that starts at the first element `pred` rejects "
            "(shared, not copied)."),
        example="(dropf '(2 4 5 6) even?) ; → '(5 6)",
    ),
    Entry(
        "map", BUILTIN,
        params=(Param("proc", PROCEDURE), *_LISTS),
        result=LIST,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Applies `proc` to the elements of the `lst`s, one element after another from "
            "the first to the last, and returns the list of results. With several lists, "
            "`proc` takes one argument per list and all lists must have the same length. "
            "The calls are sequential: a `proc` that makes an `llm-query` waits for each "
            "reply before starting the next; use `map-async` with `llm-query-async` to run "
            "them concurrently."),
        example="(map (lambda (x y) (+ x y)) '(1 2) '(10 20)) ; → '(11 22)",
    ),
    Entry(
        "for-each", BUILTIN,
        params=(Param("proc", PROCEDURE), *_LISTS),
        result=VOID,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Like `map`, but calls `proc` only for its effect and returns `void`. The calls "
            "run one after another, in order."),
        example="(for-each displayln '(\"a\" \"b\")) ; prints a and b",
    ),
    Entry(
        "andmap", BUILTIN,
        params=(Param("proc", PROCEDURE), *_LISTS),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Applies `proc` to the elements of the `lst`s from the first to the last and "
            "stops at the first call that returns `#f`, returning `#f`; otherwise returns the "
            "value of the last call, or `#t` when the lists are empty. With several lists, "
            "`proc` takes one argument per list and all lists must have the same length."),
        example="(andmap even? '(2 4 6)) ; → #t",
    ),
    Entry(
        "ormap", BUILTIN,
        params=(Param("proc", PROCEDURE), *_LISTS),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Applies `proc` to the elements of the `lst`s from the first to the last and "
            "returns the first value other than `#f`, without calling `proc` on the rest; "
            "returns `#f` when every call returns `#f` or the lists are empty. With several "
            "lists, `proc` takes one argument per list and all lists must have the same "
            "length."),
        example="(ormap (lambda (x) (and (> x 2) x)) '(1 3 5)) ; → 3",
    ),
    Entry(
        "filter", BUILTIN,
        params=(Param("pred", PROCEDURE), Param("lst", LIST)),
        result=LIST,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Returns the list of the elements of `lst` for which `pred` returns a value "
            "other than `#f`, in their original order. `pred` is called on each element in "
            "turn."),
        example="(filter even? '(1 2 3 4)) ; → '(2 4)",
    ),
    Entry(
        "filter-not", BUILTIN,
        params=(Param("pred", PROCEDURE), Param("lst", LIST)),
        result=LIST,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Like `filter`, but keeps the elements for which `pred` returns `#f`: returns the "
            "list of the elements of `lst` that `pred` rejects, in their original order."),
        example="(filter-not even? '(1 2 3 4)) ; → '(1 3)",
    ),
    Entry(
        "filter-map", BUILTIN,
        params=(Param("proc", PROCEDURE), *_LISTS),
        result=LIST,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Like `map`, but keeps only the results that are not `#f`. Useful to parse and "
            "drop failures in one pass. With several lists, `proc` takes one argument per "
            "list and all lists must have the same length."),
        example="(filter-map string->number '(\"1\" \"x\" \"3\")) ; → '(1 3)",
    ),
    Entry(
        "remove", BUILTIN,
        params=(Param("v"), Param("lst", LIST),
                Param("proc", PROCEDURE, optional=True, default="equal?")),
        result=LIST,
        doc=(
            "Returns `lst` without the first element that is equal to `v` according to "
            "`proc` (default `equal?`). If no element matches, returns `lst` unchanged. "
            "To drop every element satisfying a predicate, use `filter` with the negation."),
        example="(remove 2 '(1 2 3 2)) ; → '(1 3 2)",
    ),
    Entry(
        "remq", BUILTIN,
        params=(Param("v"), Param("lst", LIST)),
        result=LIST,
        doc=(
            "Like `remove`, but compares with `eq?`: returns `lst` without the first element "
            "`eq?` to `v`, or `lst` unchanged when there is none. Suited to symbols and small "
            "integers; a string built at run time is not `eq?` to an equal literal, so use "
            "`remove` for strings."),
        example="(remq 'b '(a b c b)) ; → '(a c b)",
    ),
    Entry(
        "remove*", BUILTIN,
        params=(Param("v-lst", LIST), Param("lst", LIST)),
        result=LIST,
        doc=(
            "Returns `lst` without every element that is `equal?` to one of the elements of "
            "`v-lst` — all occurrences, unlike `remove` — keeping the others in order."),
        example="(remove* '(1 2) '(1 2 3 2 4)) ; → '(3 4)",
    ),
    Entry(
        "foldl", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("init"), *_LISTS),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FOLD,),
        doc=(
            "Combines the elements of the `lst`s from left to right: `proc` is called with "
            "each element (one per list) followed by the accumulated value, starting from "
            "`init`, and its result becomes the new accumulated value. Returns the final "
            "accumulated value; with empty lists, `init`. Note the argument order: the "
            "element comes first, the accumulator last."),
        example="(foldl cons '() '(1 2 3)) ; → '(3 2 1)",
    ),
    Entry(
        "foldr", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("init"), *_LISTS),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FOLD,),
        doc=(
            "Like `foldl`, but combines the elements from right to left: the last element "
            "is combined with `init` first. `(foldr cons '() lst)` copies `lst`."),
        example="(foldr cons '() '(1 2 3)) ; → '(1 2 3)",
    ),
    Entry(
        "apply", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("v"), Param("v", rest=True)),
        signature_text="(apply proc v ... lst) → any",
        doc=(
            "Calls `proc` with the `v`s followed by the elements of the list `lst` as its "
            "arguments, and returns the result; keyword arguments given to `apply` go on to "
            "`proc`. Raises an error if the last argument is not a list."),
        example="(apply + 1 '(2 3)) ; → 6",
        any_keywords=True,
    ),
    Entry(
        "keyword-apply", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("kw-lst", LIST), Param("kw-val-lst", LIST),
                Param("v"), Param("v", rest=True)),
        signature_text="(keyword-apply proc kw-lst kw-val-lst v ... lst) → any",
        doc=(
            "Like `apply`, and also passes the keyword arguments named by the keywords of "
            "`kw-lst`, with the values of `kw-val-lst` in the same order."),
        example="(keyword-apply f '(#:k) '(3) '(5)) ; → (f 5 #:k 3)",
        any_keywords=True,
    ),
    Entry(
        "assoc", BUILTIN,
        params=(Param("v"), Param("lst", LIST),
                Param("is-equal?", PROCEDURE, optional=True, default="equal?")),
        doc=(
            "Returns the first pair in the association list `lst` whose first element is "
            "equal to `v` (according to `is-equal?`, default `equal?`), or `#f` if there is "
            "none."),
        example="(assoc \"b\" '((\"a\" . 1) (\"b\" . 2))) ; → '(\"b\" . 2)",
    ),
    Entry(
        "assq", BUILTIN,
        params=(Param("v"), Param("lst", LIST),
                Param("is-equal?", PROCEDURE, optional=True, default="eqv?")),
        doc=(
            "Like `assoc`, but compares with `eq?`: returns the first pair of the association "
            "list `lst` whose first element is `eq?` to `v`, or `#f`. Suited to symbol keys; "
            "a string built at run time is not `eq?` to an equal literal. Raises an error if "
            "an element of `lst` is not a pair. A third argument gives another equality "
            "procedure, an extension of this runtime (Racket's `assq` takes two)."),
        example="(assq 'b '((a . 1) (b . 2))) ; → '(b . 2)",
    ),
    Entry(
        "assv", BUILTIN,
        params=(Param("v"), Param("lst", LIST),
                Param("is-equal?", PROCEDURE, optional=True, default="eqv?")),
        doc=(
            "Like `assoc`, but compares with `eqv?`: returns the first pair of the "
            "association list `lst` whose first element is `eqv?` to `v` (numbers by value "
            "and exactness), or `#f`. Raises an error if an element of `lst` is not a pair. "
            "A third argument gives another equality procedure, an extension of this runtime "
            "(Racket's `assv` takes two)."),
        example="(assv 2 '((1 . one) (2 . two))) ; → '(2 . two)",
    ),
    Entry(
        "assf", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("lst", LIST)),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Returns the first pair of the association list `lst` whose first element makes "
            "`proc` return a value other than `#f`, or `#f` if there is none. Elements that "
            "are not pairs are skipped."),
        example="(assf (lambda (k) (> k 1)) '((1 . a) (2 . b))) ; → '(2 . b)",
    ),
    Entry(
        "member", BUILTIN,
        params=(Param("v"), Param("lst", LIST),
                Param("is-equal?", PROCEDURE, optional=True, default="equal?")),
        doc=(
            "Returns the tail of `lst` that starts with the first element equal to `v` "
            "(according to `is-equal?`, default `equal?`), or `#f` if `v` is not in the "
            "list. Any non-`#f` result counts as true, so it doubles as a membership test."),
        example="(member 2 '(1 2 3)) ; → '(2 3)",
    ),
    Entry(
        "memq", BUILTIN,
        params=(Param("v"), Param("lst", LIST),
                Param("is-equal?", PROCEDURE, optional=True, default="eqv?")),
        doc=(
            "Like `member`, but compares with `eq?`: suited to symbols and small integers. "
            "Equal string literals are `eq?` (they are interned, as in Racket), but a string "
            "built at run time is not `eq?` to any other, and floats are compared by identity: "
            "use `member` for strings and `memv` for numbers. A third argument gives another "
            "equality procedure, an extension of this runtime (Racket's `memq` takes two)."),
        example="(memq 'c '(a b c d)) ; → '(c d)",
    ),
    Entry(
        "memv", BUILTIN,
        params=(Param("v"), Param("lst", LIST),
                Param("is-equal?", PROCEDURE, optional=True, default="eqv?")),
        doc=(
            "Like `member`, but compares with `eqv?`: returns the tail of `lst` that starts "
            "with the first element `eqv?` to `v`, or `#f`. Numbers compare by value and "
            "exactness, so `(memv 1.0 '(1))` is `#f`. A third argument gives another "
            "equality procedure, an extension of this runtime (Racket's `memv` takes two)."),
        example="(memv 2 '(1 2 3)) ; → '(2 3)",
    ),
    Entry(
        "memf", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("lst", LIST)),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Returns the tail of `lst` that starts with the first element for which `proc` "
            "returns a value other than `#f`, or `#f` if there is none."),
        example="(memf even? '(1 2 3)) ; → '(2 3)",
    ),
    Entry(
        "findf", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("lst", LIST)),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Returns the first element of `lst` for which `proc` returns a value other than "
            "`#f`, or `#f` if there is none (so a matching element that is itself `#f` cannot "
            "be told apart: use `memf` then)."),
        example="(findf string? '(1 \"a\" \"b\")) ; → \"a\"",
    ),
    Entry(
        "index-of", BUILTIN,
        params=(Param("lst", LIST), Param("v"),
                Param("is-equal?", PROCEDURE, optional=True, default="equal?")),
        doc=(
            "Returns the position (from 0) of the first element of `lst` equal to `v` "
            "(according to `is-equal?`, default `equal?`), or `#f` if there is none."),
        example="(index-of '(a b c) 'c) ; → 2",
    ),
    Entry(
        "index-where", BUILTIN,
        params=(Param("lst", LIST), Param("proc", PROCEDURE)),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_LIST_FN,),
        doc=(
            "Returns the position (from 0) of the first element of `lst` for which `proc` "
            "returns a value other than `#f`, or `#f` if there is none. Note the argument "
            "order: the list comes first."),
        example="(index-where '(1 3 4 5) even?) ; → 2",
    ),
    Entry(
        "range", BUILTIN,
        params=(Param("end", NUMBER), Param("end", NUMBER, optional=True),
                Param("step", NUMBER, optional=True, default="1")),
        result=LIST,
        signature_text="(range end) → list\n(range start end [step]) → list",
        doc=(
            "Returns the list of numbers from `start` (default 0) up to but not including "
            "`end`, going by `step` (default 1; a negative step counts down). `(range n)` "
            "has `n` elements, which the cost estimator uses as the size of a fan-out over "
            "it."),
        example="(range 5) ; → '(0 1 2 3 4)",
    ),
    Entry(
        "make-list", BUILTIN,
        params=(Param("k", NATURAL), Param("v")),
        result=LIST,
        doc=(
            "Returns a list of `k` elements, each of them `v`. Raises an error unless `k` is "
            "an exact non-negative integer."),
        example="(make-list 3 'x) ; → '(x x x)",
    ),
    Entry(
        "build-list", BUILTIN,
        params=(Param("n", NATURAL), Param("proc", PROCEDURE)),
        result=LIST,
        doc=(
            "Returns the list `(list (proc 0) (proc 1) … (proc (- n 1)))`: `proc` is called "
            "on each index from 0 to `n`−1, one call after another, in order."),
        example="(build-list 4 (lambda (i) (* i i))) ; → '(0 1 4 9)",
    ),
    Entry(
        "sort", BUILTIN,
        params=(Param("lst", LIST), Param("less-than?", PROCEDURE)),
        keywords=(
            Keyword("key", PROCEDURE, None, "#f",
                    "A procedure applied to each element to get the value that "
                    "`less-than?` compares; default #f (compare the elements "
                    "themselves)."),
            Keyword("cache-keys?", BOOLEAN, False, "#f",
                    "When #t, `key` is called once per element instead of once per "
                    "comparison. Default #f."),
        ),
        result=LIST,
        doc=(
            "Returns a list of the elements of `lst` sorted by `less-than?`, which takes two "
            "values and returns true when the first must come before the second. The sort "
            "is stable: equal elements keep their order. With `#:key`, `less-than?` "
            "compares the keys extracted from the elements."),
        example=(
            "(sort '(\"pear\" \"fig\" \"apple\") < #:key string-length)"
            " ; → '(\"fig\" \"pear\" \"apple\")"),
    ),
    Entry(
        "remove-duplicates", BUILTIN,
        params=(Param("lst", LIST),
                Param("same?", PROCEDURE, optional=True, default="equal?")),
        keywords=(
            Keyword("key", PROCEDURE, None, "#f",
                    "A procedure applied to each element; elements with the same key are "
                    "duplicates. Default #f (compare the elements themselves)."),
        ),
        result=LIST,
        doc=(
            "Returns `lst` without its duplicate elements, keeping the first occurrence of "
            "each and the original order. Elements are compared with `same?` (default "
            "`equal?`), after applying `#:key` when given."),
        example="(remove-duplicates '(a b a c b)) ; → '(a b c)",
    ),
    Entry(
        "flatten", BUILTIN,
        params=(Param("v"),),
        result=LIST,
        doc=(
            "Returns a flat list of the non-list elements found in the nested list `v`, in "
            "order; a value that is not a list yields a list of just that value."),
        example="(flatten '(1 (2 (3)) ())) ; → '(1 2 3)",
    ),
    Entry(
        "add-between", BUILTIN,
        params=(Param("lst", LIST), Param("v")),
        result=LIST,
        doc=(
            "Returns `lst` with `v` inserted between each two consecutive elements. Racket's "
            "keywords (`#:before-first`, `#:splice?` …) are not supported; to join strings "
            "use `string-join`."),
        example="(add-between '(a b c) 'x) ; → '(a x b x c)",
    ),
    Entry(
        "shuffle", BUILTIN,
        params=(Param("lst", LIST),),
        result=LIST,
        doc=(
            "Returns a list with the elements of `lst` in a random order, every order being "
            "equally likely; `lst` itself is unchanged."),
        example="(shuffle '(1 2 3)) ; → e.g. '(2 3 1)",
    ),
    Entry(
        "append-map", BUILTIN,
        params=(Param("proc", PROCEDURE), *_LISTS),
        result=LIST,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Like `map`, but `proc` returns a list for each element and the results are "
            "appended into one list. The calls run one after another. With several lists, "
            "`proc` takes one argument per list and all lists must have the same length."),
        example="(append-map (lambda (x) (list x x)) '(1 2)) ; → '(1 1 2 2)",
    ),
    Entry(
        "count", BUILTIN,
        params=(Param("proc", PROCEDURE), *_LISTS),
        result=NATURAL,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Returns how many elements of `lst` make `proc` return a value other than `#f`. "
            "With several lists, `proc` takes one argument per list (the elements at the "
            "same position) and all lists must have the same length: "
            "`(count < '(1 5) '(2 3))` is 1."),
        example="(count even? '(1 2 3 4)) ; → 2",
    ),
    Entry(
        "argmin", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("lst", LIST)),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Returns the first element of the non-empty list `lst` that minimises `proc`, "
            "which must return a real number for each element. Raises an error on the "
            "empty list."),
        example="(argmin string-length '(\"ccc\" \"a\" \"bb\")) ; → \"a\"",
    ),
    Entry(
        "argmax", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("lst", LIST)),
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Returns the first element of the non-empty list `lst` that maximises `proc`, "
            "which must return a real number for each element. Raises an error on the "
            "empty list."),
        example="(argmax string-length '(\"ccc\" \"a\" \"bb\")) ; → \"ccc\"",
    ),
    Entry(
        "partition", BUILTIN,
        params=(Param("pred", PROCEDURE), Param("lst", LIST)),
        result=VALUES,
        cost=SEQUENTIAL,
        fan_out=(_SEQ_FN_LIST,),
        doc=(
            "Returns two values: the list of the elements of `lst` for which `pred` returns "
            "true, and the list of the others, both in their original order."),
        example="(partition even? '(1 2 3 4)) ; → (values '(2 4) '(1 3))",
    ),
    # ------------------------------------------------------------------------------------
    # §4 Built-in procedures: strings
    # ------------------------------------------------------------------------------------
    Entry(
        "string-append", BUILTIN,
        params=(Param("str", STRING, rest=True),),
        result=STRING,
        doc=(
            "Returns a new string made of the `str`s one after another; `(string-append)` "
            "is `\"\"`. Every argument must be a string: a number must go through "
            "`number->string` or `~a`, and LLM text through `syntax-e` (passing a syntax "
            "object is an error that says to unwrap it)."),
        example="(string-append \"Hello\" \", \" \"world\") ; → \"Hello, world\"",
    ),
    Entry(
        "string-append*", BUILTIN,
        # The last argument is a list of strings, the others strings: one type per rest
        # parameter cannot say so, so both are `any` here (the runtime checks them).
        params=(Param("str", ANY), Param("str", ANY, rest=True)),
        result=STRING,
        signature_text="(string-append* str ... strs) → string",
        doc=(
            "Like `string-append`, but the last argument is a list of strings appended "
            "after the `str`s: `(string-append* str ... strs)` is "
            "`(apply string-append str ... strs)`. To put a separator between the strings "
            "use `string-join`."),
        example="(string-append* \"a\" '(\"b\" \"c\")) ; → \"abc\"",
    ),
    Entry(
        "substring", BUILTIN,
        params=(Param("str", STRING), Param("start", NATURAL),
                Param("end", NATURAL, optional=True, default="(string-length str)")),
        result=STRING,
        doc=(
            "Returns the characters of `str` from position `start` up to but not including "
            "`end` (default: the end of the string). Raises an error unless "
            "0 ≤ `start` ≤ `end` ≤ `(string-length str)`; clamp `end` with `min` when "
            "truncating text of unknown length."),
        example="(substring \"recipe\" 0 3) ; → \"rec\"",
    ),
    Entry(
        "string-length", BUILTIN,
        params=(Param("str", STRING),),
        result=NATURAL,
        doc=(
            "Returns the number of characters in `str`. Raises an error if `str` is not a "
            "string — including LLM text still wrapped as a syntax object."),
        example="(string-length \"λx\") ; → 2",
    ),
    Entry(
        "string-ref", BUILTIN,
        params=(Param("str", STRING), Param("k", NATURAL)),
        result=CHAR,
        doc=(
            "Returns the character at position `k` of `str`, counting from 0. Raises an "
            "error unless `k` is less than `(string-length str)`."),
        example="(string-ref \"abc\" 1) ; → #\\b",
    ),
    Entry(
        "string", BUILTIN,
        params=(Param("char", CHAR, rest=True),),
        result=STRING,
        doc=(
            "Returns a new string made of the characters `char`, in order; `(string)` is "
            "`\"\"`. Every argument must be a character: to join strings use "
            "`string-append`."),
        example="(string #\\o #\\k) ; → \"ok\"",
    ),
    Entry(
        "make-string", BUILTIN,
        params=(Param("k", NATURAL), Param("char", CHAR, optional=True, default="#\\nul")),
        result=STRING,
        doc=(
            "Returns a string of `k` copies of the character `char`. Without `char` the "
            "string is made of NUL characters (`#\\nul`), as in Racket: pass `#\\space` for "
            "spaces. A `char` that is not a character is an error."),
        example="(make-string 3 #\\-) ; → \"---\"",
    ),
    Entry(
        "string-copy", BUILTIN,
        params=(Param("str", STRING),),
        result=STRING,
        doc=(
            "Returns a string with the same characters as `str`. Strings cannot be modified "
            "here, so the copy only serves code written for Racket."),
        example="(string-copy \"abc\") ; → \"abc\"",
    ),
    Entry(
        "string->list", BUILTIN,
        params=(Param("str", STRING),),
        result=LIST,
        doc="Returns the list of the characters of `str`, in order.",
        example="(string->list \"ab\") ; → '(#\\a #\\b)",
    ),
    Entry(
        "list->string", BUILTIN,
        params=(Param("lst", LIST),),
        result=STRING,
        doc=(
            "Returns the string made of the characters of the list `lst`, in order. Raises "
            "an error if an element is not a character (to join strings use `string-join`)."),
        example="(list->string (list #\\o #\\k)) ; → \"ok\"",
    ),
    Entry(
        "string-join", BUILTIN,
        params=(Param("strs", LIST), Param("sep", STRING, optional=True, default="\" \"")),
        keywords=(
            Keyword("before-first", STRING, None, "\"\"",
                    "Text put before the first string. Default \"\"."),
            Keyword("before-last", STRING, None, "sep",
                    "Separator put between the last two strings. Default: `sep`."),
            Keyword("after-last", STRING, None, "\"\"",
                    "Text put after the last string. Default \"\"."),
        ),
        result=STRING,
        doc=(
            "Returns the strings of the list `strs` joined with `sep` between them (default "
            "a single space). Every element must be a string; `await-all` and `map-async` "
            "already return strings, whereas a list of syntax objects must be unwrapped with "
            "`(map syntax-e lst)` first."),
        example="(string-join '(\"a\" \"b\" \"c\") \", \") ; → \"a, b, c\"",
    ),
    Entry(
        "string-split", BUILTIN,
        params=(Param("str", STRING), Param("sep", STRING, optional=True, default="\" \"")),
        keywords=(
            Keyword("trim?", BOOLEAN, True, "#t",
                    "Trim `sep` from both ends before splitting, so there are no empty "
                    "strings at the ends. Default #t."),
            Keyword("repeat?", BOOLEAN, False, "#f",
                    "Treat a run of several separators as one. Default #f (but when no "
                    "`sep` is given, any run of whitespace separates)."),
        ),
        result=STRINGS,
        doc=(
            "Splits `str` at each occurrence of the string `sep` and returns the list of "
            "pieces. Without `sep`, splits at runs of whitespace and drops empty pieces. "
            "With an explicit `sep`, adjacent separators give empty strings, and leading "
            "and trailing ones are trimmed first (`#:trim? #t`)."),
        example="(string-split \"a,b,,c\" \",\") ; → '(\"a\" \"b\" \"\" \"c\")",
    ),
    Entry(
        "string-trim", BUILTIN,
        params=(Param("str", STRING), Param("sep", STRING, optional=True, default="whitespace")),
        keywords=(
            Keyword("left?", BOOLEAN, True, "#t", "Trim the start of the string. Default #t."),
            Keyword("right?", BOOLEAN, True, "#t", "Trim the end of the string. Default #t."),
            Keyword("repeat?", BOOLEAN, False, "#f",
                    "Remove every repetition of `sep` at each end, not just one. "
                    "Default #f."),
        ),
        result=STRING,
        doc=(
            "Returns `str` without the whitespace (or, when given, one occurrence of the "
            "string `sep`) at its start and end. Commonly used to clean model replies: "
            "`(string-trim (syntax-e reply))`."),
        example="(string-trim \"  yes \\n\") ; → \"yes\"",
    ),
    Entry(
        "string-contains?", BUILTIN,
        params=(Param("s", STRING), Param("contained", STRING)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `contained` occurs in `s`, `#f` otherwise. The comparison is "
            "case-sensitive; combine with `string-downcase` for a case-insensitive test."),
        example="(string-contains? \"approved: yes\" \"approved\") ; → #t",
    ),
    Entry(
        "string-prefix?", BUILTIN,
        params=(Param("s", STRING), Param("prefix", STRING)),
        result=BOOLEAN,
        doc="Returns `#t` if `s` starts with `prefix`, `#f` otherwise.",
        example="(string-prefix? \"```json\" \"```\") ; → #t",
    ),
    Entry(
        "string-suffix?", BUILTIN,
        params=(Param("s", STRING), Param("suffix", STRING)),
        result=BOOLEAN,
        doc="Returns `#t` if `s` ends with `suffix`, `#f` otherwise.",
        example="(string-suffix? \"report.md\" \".md\") ; → #t",
    ),
    Entry(
        "string-replace", BUILTIN,
        params=(Param("str", STRING), Param("from", STRING), Param("to", STRING)),
        keywords=(
            Keyword("all?", BOOLEAN, True, "#t",
                    "Replace every occurrence; with #f only the first. Default #t."),
        ),
        result=STRING,
        doc=(
            "Returns `str` with the occurrences of the string `from` replaced by `to` (all "
            "of them by default, only the first with `#:all? #f`). `from` is literal text, "
            "not a pattern."),
        example="(string-replace \"a-b-c\" \"-\" \" \") ; → \"a b c\"",
    ),
    Entry(
        "string-upcase", BUILTIN,
        params=(Param("str", STRING),),
        result=STRING,
        doc="Returns `str` with every letter in upper case.",
        example="(string-upcase \"yes\") ; → \"YES\"",
    ),
    Entry(
        "string-downcase", BUILTIN,
        params=(Param("str", STRING),),
        result=STRING,
        doc="Returns `str` with every letter in lower case.",
        example="(string-downcase \"APPROVED\") ; → \"approved\"",
    ),
    Entry(
        "string-titlecase", BUILTIN,
        params=(Param("str", STRING),),
        result=STRING,
        doc=(
            "Returns `str` with the first letter of each word in upper case and the other "
            "letters in lower case. A word starts after any character that is not a letter, "
            "an apostrophe included: `\"it's\"` becomes `\"It'S\"`."),
        example="(string-titlecase \"hello WORLD\") ; → \"Hello World\"",
    ),
    Entry(
        "string=?", BUILTIN,
        params=(Param("str1", STRING), Param("str2", STRING), Param("str", STRING, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if all the arguments, at least two, are equal strings "
            "(case-sensitive), `#f` otherwise. Every argument must be a string; to compare "
            "any values use `equal?`."),
        example="(string=? \"yes\" (string-downcase \"YES\")) ; → #t",
    ),
    Entry(
        "string<?", BUILTIN,
        params=(Param("str1", STRING), Param("str2", STRING), Param("str", STRING, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the arguments, at least two strings, are in strictly increasing "
            "lexicographic order (by character code), `#f` otherwise. Usable as the "
            "comparison of `sort`."),
        example="(sort '(\"b\" \"a\") string<?) ; → '(\"a\" \"b\")",
    ),
    Entry(
        "string>?", BUILTIN,
        params=(Param("str1", STRING), Param("str2", STRING), Param("str", STRING, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the arguments, at least two strings, are in strictly decreasing "
            "lexicographic order (by character code), `#f` otherwise. Usable as the "
            "comparison of `sort` for a descending order."),
        example="(sort '(\"a\" \"c\" \"b\") string>?) ; → '(\"c\" \"b\" \"a\")",
    ),
    Entry(
        "string<=?", BUILTIN,
        params=(Param("str1", STRING), Param("str2", STRING), Param("str", STRING, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the arguments, at least two strings, are in non-decreasing "
            "lexicographic order (by character code), `#f` otherwise."),
        example="(string<=? \"a\" \"a\" \"b\") ; → #t",
    ),
    Entry(
        "string>=?", BUILTIN,
        params=(Param("str1", STRING), Param("str2", STRING), Param("str", STRING, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the arguments, at least two strings, are in non-increasing "
            "lexicographic order (by character code), `#f` otherwise."),
        example="(string>=? \"b\" \"a\" \"a\") ; → #t",
    ),
    Entry(
        "string-ci=?", BUILTIN,
        params=(Param("str1", STRING), Param("str2", STRING), Param("str", STRING, rest=True)),
        result=BOOLEAN,
        doc=(
            "Like `string=?`, but ignores case: the strings are compared after Unicode case "
            "folding. Handy to test a model's yes/no reply."),
        example="(string-ci=? \"Yes\" \"YES\") ; → #t",
    ),
    Entry(
        "string-ci<?", BUILTIN,
        params=(Param("str1", STRING), Param("str2", STRING), Param("str", STRING, rest=True)),
        result=BOOLEAN,
        doc=(
            "Like `string<?`, but ignores case: the strings are compared after Unicode case "
            "folding. Usable as the comparison of `sort` for a case-insensitive order."),
        example="(string-ci<? \"apple\" \"Banana\") ; → #t",
    ),
    Entry(
        "number->string", BUILTIN,
        params=(Param("z", NUMBER), Param("radix", INTEGER, optional=True, default="10")),
        result=STRING,
        doc=(
            "Returns the printed form of the number `z`, in base `radix` (2, 8, 10 or 16; "
            "default 10)."),
        example="(number->string 42) ; → \"42\"",
    ),
    Entry(
        "string->number", BUILTIN,
        params=(Param("s", STRING), Param("radix", INTEGER, optional=True, default="10")),
        doc=(
            "Parses `s` as a number (in base `radix`, default 10) and returns it, or `#f` "
            "if `s` is not the text of a number — surrounding whitespace included, so trim "
            "model replies first. Never raises on bad text."),
        example="(string->number (string-trim \" 7 \")) ; → 7",
    ),
    Entry(
        "symbol->string", BUILTIN,
        params=(Param("sym", SYMBOL),),
        result=STRING,
        doc="Returns the name of the symbol `sym` as a string.",
        example="(symbol->string 'total) ; → \"total\"",
    ),
    Entry(
        "string->symbol", BUILTIN,
        params=(Param("str", STRING),),
        result=SYMBOL,
        doc=(
            "Returns the symbol whose name is `str`. Useful to look up the symbol keys of a "
            "hash decoded from JSON."),
        example="(string->symbol \"total\") ; → 'total",
    ),
    Entry(
        "symbol=?", BUILTIN,
        params=(Param("a", SYMBOL), Param("b", SYMBOL)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `a` and `b` are the same symbol, `#f` otherwise. Takes exactly "
            "two arguments; other values are not rejected but compared by identity, as "
            "`eq?` does."),
        example="(symbol=? 'total (string->symbol \"total\")) ; → #t",
    ),
    Entry(
        "symbol<?", BUILTIN,
        params=(Param("a", SYMBOL), Param("b", SYMBOL, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the symbols are in strictly increasing order of their names "
            "(compared as `string<?` does, by the UTF-8 bytes), `#f` otherwise; one symbol "
            "is in order. Usable as the comparison of `sort`. Raises an error on a value "
            "that is not a symbol."),
        example="(sort '(pear apple fig) symbol<?) ; → '(apple fig pear)",
    ),
    Entry(
        "format", BUILTIN,
        params=(Param("form", STRING), Param("v", rest=True)),
        result=STRING,
        doc=(
            "Returns the string `form` with its directives replaced: `~a` inserts the next "
            "`v` as `display` prints it (strings raw), `~s` as `write` prints it (strings "
            "quoted), `~v` as `print` does, `~n` and `~%` insert a newline and `~~` a tilde. "
            "Raises an error when the number of `v`s does not match the directives. A syntax "
            "object given to `~a` is an error: unwrap LLM text with `syntax-e`."),
        example="(format \"~a of ~a done\" 3 10) ; → \"3 of 10 done\"",
    ),
    Entry(
        "printf", BUILTIN,
        params=(Param("form", STRING), Param("v", rest=True)),
        result=VOID,
        doc=(
            "Like `format`, but writes the result to standard output, as the run goes, and "
            "returns `void`. Output appears before the recipe's result."),
        example="(printf \"~a items\\n\" 3) ; prints: 3 items",
    ),
    Entry(
        "fprintf", BUILTIN,
        params=(Param("out"), Param("form", STRING), Param("v", rest=True)),
        result=VOID,
        doc=(
            "Like `printf`, but writes to the port `out`: `(current-error-port)` for "
            "standard error, `(current-output-port)` — or any other value — for standard "
            "output. Returns `void`."),
        example="(fprintf (current-error-port) \"~a left\\n\" 3) ; prints to stderr: 3 left",
    ),
    Entry(
        "display", BUILTIN,
        params=(Param("v"), Param("out", optional=True, default="(current-output-port)")),
        result=VOID,
        doc=(
            "Writes `v` to the port `out` (default standard output) as `~a` formats it: "
            "strings without quotes, lists as `(1 two #t)`. No newline is added (see "
            "`displayln`)."),
        example="(display \"ok\") ; prints: ok",
    ),
    Entry(
        "displayln", BUILTIN,
        params=(Param("v"), Param("out", optional=True, default="(current-output-port)")),
        result=VOID,
        doc=(
            "Writes `v` to the port `out` (default standard output) as `display` does, "
            "followed by a newline. The usual way to report progress from a recipe; give "
            "`(current-error-port)` as `out` to keep it out of the recipe's output."),
        example="(displayln (list 1 \"two\")) ; prints: (1 two)",
    ),
    Entry(
        "write", BUILTIN,
        params=(Param("v"), Param("out", optional=True, default="(current-output-port)")),
        result=VOID,
        doc=(
            "Writes `v` to the port `out` (default standard output) as `~s` formats it: "
            "strings in double quotes with escapes, characters as `#\\a`. No newline is "
            "added (see `writeln`)."),
        example="(write \"hi\") ; prints: \"hi\"",
    ),
    Entry(
        "writeln", BUILTIN,
        params=(Param("v"), Param("out", optional=True, default="(current-output-port)")),
        result=VOID,
        doc=(
            "Writes `v` to the port `out` (default standard output) as `write` does, "
            "followed by a newline."),
        example="(writeln '(1 \"a\")) ; prints: (1 \"a\")",
    ),
    Entry(
        "print", BUILTIN,
        params=(Param("v"), Param("out", optional=True, default="(current-output-port)")),
        result=VOID,
        doc=(
            "Writes `v` to the port `out` (default standard output) as Racket's `print` "
            "does: like `write`, but a symbol, list, vector or hash table gets a leading "
            "quote, so `(print '(1 \"a\"))` prints `'(1 \"a\")`."),
        example="(print 'done) ; prints: 'done",
    ),
    Entry(
        "newline", BUILTIN,
        params=(Param("out", optional=True, default="(current-output-port)"),),
        result=VOID,
        doc="Writes a newline to the port `out` (default standard output) and returns `void`.",
        example="(newline) ; prints an empty line",
    ),
    Entry(
        "current-output-port", BUILTIN,
        result=ANY,
        doc=(
            "Returns the port of standard output, the recipe's output stream, to pass as the "
            "port argument of `fprintf`, `display`, `write` and the like. The only ports "
            "that can be opened are string ports (`open-output-string`)."),
        example="(fprintf (current-output-port) \"~a\\n\" 42) ; prints: 42",
    ),
    Entry(
        "open-output-string", BUILTIN,
        params=(Param("name", optional=True, default="'string"),),
        result=ANY,
        doc=(
            "Returns a new string port: an output port, for `display`, `write`, `fprintf` "
            "and the like, that collects what is written to it; `get-output-string` reads "
            "it back."),
        example="(let ([o (open-output-string)]) (write 'a o) (get-output-string o)) ; → \"a\"",
    ),
    Entry(
        "get-output-string", BUILTIN,
        params=(Param("out"),),
        result=STRING,
        doc="Returns everything written so far to the string port `out`.",
        example="(let ([o (open-output-string)]) (display 42 o) (get-output-string o)) ; → \"42\"",
    ),
    Entry(
        "write-string", BUILTIN,
        params=(Param("str", STRING), Param("out", optional=True, default="(current-output-port)")),
        result=NATURAL,
        doc=(
            "Writes the characters of `str` to the port `out` (default standard output) and "
            "returns how many were written."),
        example="(write-string \"ok\") ; prints: ok",
    ),
    Entry(
        "current-error-port", BUILTIN,
        result=ANY,
        doc=(
            "Returns the port of standard error, which is not part of the recipe's output: "
            "pass it to `fprintf`, `displayln`, `write` and the like for progress and "
            "diagnostics."),
        example="(displayln \"retrying\" (current-error-port)) ; prints to stderr",
    ),
    Entry(
        "flush-output", BUILTIN,
        params=(Param("out", optional=True, default="(current-output-port)"),),
        result=VOID,
        doc=(
            "Does nothing and returns `void`: output is not buffered, every write is flushed "
            "at once. Accepted for compatibility with Racket code."),
        example="(flush-output) ; no effect",
    ),
    Entry(
        "~a", BUILTIN,
        params=(Param("v", rest=True),),
        keywords=_TILDE_KEYWORDS,
        result=STRING,
        doc=(
            "Converts each `v` to a string as `display` prints it and concatenates them "
            "(with `#:separator` between). The width keywords truncate or pad the result, "
            "which makes `(~a text #:max-width 2000 #:limit-marker \"...\")` a safe way to cap "
            "a prompt's length."),
        example="(~a \"n=\" 3) ; → \"n=3\"",
    ),
    Entry(
        "~s", BUILTIN,
        params=(Param("v", rest=True),),
        keywords=_TILDE_WRITE_KEYWORDS,
        result=STRING,
        doc=(
            "Like `~a`, but converts each `v` as `write` prints it: strings in double quotes "
            "with escapes, characters as `#\\a`. Takes the same keywords as `~a`, but "
            "separates the values with a space by default and ends a truncated result with "
            "`...`, as Racket's `~s` does."),
        example="(~s \"yes\") ; → \"\\\"yes\\\"\"",
    ),
    Entry(
        "~v", BUILTIN,
        params=(Param("v", rest=True),),
        keywords=_TILDE_WRITE_KEYWORDS,
        result=STRING,
        doc=(
            "Converts each `v` as `print` prints it: like `write` (strings in double quotes), "
            "but symbols, lists, vectors and hash tables get a leading quote, so `(~v 'a)` is "
            "`\"'a\"` where `(~s 'a)` is `\"a\"`. Takes the same keywords as `~s`: the values "
            "are separated by a space by default."),
        example="(~v \"yes\" 'no) ; → \"\\\"yes\\\" 'no\"",
    ),
    Entry(
        "~r", BUILTIN,
        params=(Param("x", NUMBER),),
        keywords=(
            Keyword("precision", ANY, None, "6",
                    "Digits after the decimal point: a natural number `n` for at most `n` "
                    "(trailing zeros dropped, and the point too when nothing follows it), or "
                    "`'(= n)` for exactly `n`. Default 6."),
            Keyword("min-width", NATURAL, 1, "1",
                    "Pad the digits on the left to at least this many characters (the sign "
                    "goes before the padding). Default 1.",
                    minimum=1),
            Keyword("pad-string", STRING, None, "\" \"",
                    "Text used for the padding. Default \" \"."),
            Keyword("base", ANY, None, "10",
                    "The radix, 2 to 36, or `'(up n)` for upper-case digits. Default 10."),
            Keyword("sign", ANY, None, "#f",
                    "How the sign shows: `#f` (a minus for negatives only), `'+` (a plus for "
                    "positives too), `'++` (also for zero), `'parens` (negatives in "
                    "parentheses), or a list of three indicators for positive, zero and "
                    "negative numbers, each a string or a list of a prefix and a suffix. "
                    "Default #f."),
        ),
        result=STRING,
        doc=(
            "Formats the rational number `x` in positional notation, as Racket's `~r` does: "
            "rounded to `#:precision` digits after the point (half away from zero), with "
            "trailing zeros dropped unless the precision is `'(= n)`, so `(~r 2.0)` is "
            "`\"2\"` and `(~r 3.14159265)` is `\"3.141593\"`. An exact fraction is printed "
            "in decimal too: `(~r 1/3 #:precision 2)` is `\"0.33\"`. `#:min-width` pads the "
            "result on the left, which right-aligns numbers in a column. Infinities and NaN "
            "are an error; `#:notation 'exponential` is not supported."),
        example="(~r 3.14159 #:precision 2) ; → \"3.14\"",
    ),
    Entry(
        "string?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is a string, `#f` otherwise. A syntax object (LLM text not "
            "yet unwrapped) is not a string."),
        example="(string? (syntax-e (datum->syntax #f \"x\"))) ; → #t",
    ),
    Entry(
        "non-empty-string?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a string with at least one character, `#f` otherwise.",
        example="(non-empty-string? \"\") ; → #f",
    ),
    Entry(
        "string-empty?", BUILTIN,
        params=(Param("str", STRING),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `str` is the empty string `\"\"`, `#f` otherwise. Unlike "
            "`non-empty-string?`, raises an error if `str` is not a string."),
        example="(string-empty? (string-trim \"  \")) ; → #t",
    ),
    # Characters.
    Entry(
        "char?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is a character, such as `#\\a` or an element of "
            "`(string->list str)`, `#f` otherwise."),
        example="(char? (string-ref \"abc\" 0)) ; → #t",
    ),
    *(Entry(name, BUILTIN, params=_CHARS, result=BOOLEAN,
            doc=(f"Returns `#t` if the arguments, at least two, are {what}, `#f` otherwise. "
                 "Every argument must be a character."),
            example=example)
      for name, what, example in (
          ("char=?", "the same character (case-sensitive)", "(char=? #\\a (string-ref \"abc\" 0)) ; → #t"),
          ("char<?", "strictly increasing by code point", "(char<? #\\a #\\b) ; → #t"),
          ("char>?", "strictly decreasing by code point", "(char>? #\\b #\\a) ; → #t"),
          ("char<=?", "non-decreasing by code point", "(char<=? #\\a #\\a) ; → #t"),
          ("char>=?", "non-increasing by code point", "(char>=? #\\a #\\b) ; → #f"),
          ("char-ci=?", "the same character ignoring case", "(char-ci=? #\\a #\\A) ; → #t"),
          ("char-ci<?", "strictly increasing ignoring case", "(char-ci<? #\\a #\\B) ; → #t"),
          ("char-ci>?", "strictly decreasing ignoring case", "(char-ci>? #\\b #\\A) ; → #t"),
          ("char-ci<=?", "non-decreasing ignoring case", "(char-ci<=? #\\a #\\A) ; → #t"),
          ("char-ci>=?", "non-increasing ignoring case", "(char-ci>=? #\\a #\\B) ; → #f"),
      )),
    Entry(
        "char->integer", BUILTIN,
        params=(Param("char", CHAR),),
        result=NATURAL,
        doc="Returns the Unicode code point of the character `char`, an exact integer.",
        example="(char->integer #\\A) ; → 65",
    ),
    Entry(
        "integer->char", BUILTIN,
        params=(Param("k", NATURAL),),
        result=CHAR,
        doc=(
            "Returns the character whose Unicode code point is `k`. Raises an error if `k` "
            "is not an exact non-negative integer or is beyond the Unicode range."),
        example="(integer->char 97) ; → #\\a",
    ),
    Entry(
        "char-alphabetic?", BUILTIN,
        params=(Param("char", CHAR),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `char` is a letter, of any script, `#f` otherwise. Raises an "
            "error if `char` is not a character."),
        example="(char-alphabetic? #\\é) ; → #t",
    ),
    Entry(
        "char-numeric?", BUILTIN,
        params=(Param("char", CHAR),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `char` is a digit, of any script, `#f` otherwise. Raises an "
            "error if `char` is not a character."),
        example="(char-numeric? #\\7) ; → #t",
    ),
    Entry(
        "char-whitespace?", BUILTIN,
        params=(Param("char", CHAR),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `char` is whitespace — a space, tab, newline and the like — `#f` "
            "otherwise. Raises an error if `char` is not a character."),
        example="(char-whitespace? #\\space) ; → #t",
    ),
    Entry(
        "char-upper-case?", BUILTIN,
        params=(Param("char", CHAR),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `char` is an upper-case letter, `#f` otherwise. Raises an error "
            "if `char` is not a character."),
        example="(char-upper-case? #\\A) ; → #t",
    ),
    Entry(
        "char-lower-case?", BUILTIN,
        params=(Param("char", CHAR),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `char` is a lower-case letter, `#f` otherwise. Raises an error "
            "if `char` is not a character."),
        example="(char-lower-case? #\\A) ; → #f",
    ),
    Entry(
        "char-upcase", BUILTIN,
        params=(Param("char", CHAR),),
        result=CHAR,
        doc=(
            "Returns the upper-case form of the character `char`, or `char` itself when it "
            "has none."),
        example="(char-upcase #\\a) ; → #\\A",
    ),
    Entry(
        "char-downcase", BUILTIN,
        params=(Param("char", CHAR),),
        result=CHAR,
        doc=(
            "Returns the lower-case form of the character `char`, or `char` itself when it "
            "has none."),
        example="(char-downcase #\\A) ; → #\\a",
    ),
    # ------------------------------------------------------------------------------------
    # §4 Built-in procedures: numbers
    # ------------------------------------------------------------------------------------
    Entry(
        "+", BUILTIN,
        params=(Param("z", NUMBER, rest=True),),
        result=NUMBER,
        doc=(
            "Returns the sum of the `z`s; `(+)` is 0. Exact arguments give an exact result; "
            "a float anywhere makes it a float. Raises an error on a non-number — a string "
            "such as `\"3\"` must go through `string->number` first."),
        example="(+ 1 2 3.5) ; → 6.5",
    ),
    Entry(
        "-", BUILTIN,
        params=(Param("z", NUMBER), Param("w", NUMBER, rest=True)),
        result=NUMBER,
        doc=(
            "With one argument, returns its negation; with more, subtracts the `w`s from "
            "`z` left to right."),
        example="(- 10 3 2) ; → 5",
    ),
    Entry(
        "*", BUILTIN,
        params=(Param("z", NUMBER, rest=True),),
        result=NUMBER,
        doc=(
            "Returns the product of the `z`s; `(*)` is 1. As in Racket, an exact 0 makes the "
            "product exact 0 even with a float: `(* 0 1.5)` is 0."),
        example="(* 2 3 4) ; → 24",
    ),
    Entry(
        "/", BUILTIN,
        params=(Param("z", NUMBER), Param("w", NUMBER, rest=True)),
        result=NUMBER,
        doc=(
            "With one argument, returns its reciprocal; with more, divides `z` by the `w`s "
            "left to right. Dividing exact integers gives an exact rational (`(/ 1 2)` is "
            "`1/2`); use `exact->inexact` or a float argument for a decimal, and `quotient` "
            "for integer division. Dividing an exact number by exact 0 is an error; an exact "
            "0 divided by a float is exact 0, as in Racket."),
        example="(/ 7 2) ; → 7/2",
    ),
    Entry(
        "add1", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns `(+ z 1)`: `z` plus one, of the same exactness as `z`. Raises an "
            "error if `z` is not a number."),
        example="(add1 41) ; → 42",
    ),
    Entry(
        "sub1", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns `(- z 1)`: `z` minus one, of the same exactness as `z`. Raises an "
            "error if `z` is not a number."),
        example="(sub1 43) ; → 42",
    ),
    Entry(
        "quotient", BUILTIN,
        params=(Param("n", INTEGER), Param("m", INTEGER)),
        result=INTEGER,
        doc=(
            "Returns the integer quotient of `n` divided by `m`, truncated towards zero. "
            "Raises an error when `m` is 0."),
        example="(quotient 17 5) ; → 3",
    ),
    Entry(
        "remainder", BUILTIN,
        params=(Param("n", INTEGER), Param("m", INTEGER)),
        result=INTEGER,
        doc=(
            "Returns the remainder of the truncating division of `n` by `m`; its sign is "
            "that of `n`. Raises an error when `m` is 0."),
        example="(remainder -17 5) ; → -2",
    ),
    Entry(
        "quotient/remainder", BUILTIN,
        params=(Param("n", INTEGER), Param("m", INTEGER)),
        result=VALUES,
        doc=(
            "Returns two values: `(quotient n m)` and `(remainder n m)`, the quotient "
            "truncated towards zero and the remainder with the sign of `n`. Raises an error "
            "when `m` is 0. Bind the results with `define-values` or `let-values`."),
        example="(quotient/remainder 17 5) ; → (values 3 2)",
    ),
    Entry(
        "modulo", BUILTIN,
        params=(Param("n", INTEGER), Param("m", INTEGER)),
        result=INTEGER,
        doc=(
            "Returns `n` modulo `m`: the remainder of the flooring division, with the sign "
            "of `m`. Raises an error when `m` is 0."),
        example="(modulo -17 5) ; → 3",
    ),
    Entry(
        "gcd", BUILTIN,
        params=(Param("n", INTEGER, rest=True),),
        result=INTEGER,
        doc=(
            "Returns the greatest common divisor of the integers `n`, a non-negative exact "
            "integer; `(gcd)` is 0. Raises an error on a number that is not an integer."),
        example="(gcd 12 18) ; → 6",
    ),
    Entry(
        "lcm", BUILTIN,
        params=(Param("n", INTEGER, rest=True),),
        result=INTEGER,
        doc=(
            "Returns the least common multiple of the integers `n`, a non-negative exact "
            "integer; `(lcm)` is 1. Raises an error on a number that is not an integer."),
        example="(lcm 4 6) ; → 12",
    ),
    Entry(
        "numerator", BUILTIN,
        params=(Param("q", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the numerator of the rational number `q` in lowest terms: exact for an "
            "exact `q`, a float for a float."),
        example="(numerator 6/4) ; → 3",
    ),
    Entry(
        "denominator", BUILTIN,
        params=(Param("q", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the denominator of the rational number `q` in lowest terms: exact for "
            "an exact `q`, a float for a float; 1 for an integer."),
        example="(denominator 6/4) ; → 2",
    ),
    Entry(
        "abs", BUILTIN,
        params=(Param("x", NUMBER),),
        result=NUMBER,
        doc="Returns the absolute value of the real number `x`.",
        example="(abs -4.5) ; → 4.5",
    ),
    Entry(
        "min", BUILTIN,
        params=(Param("x", NUMBER), Param("x", NUMBER, rest=True)),
        result=NUMBER,
        doc=(
            "Returns the smallest of the real numbers `x`. If any argument is a float, the "
            "result is a float."),
        example="(min 3 1 2) ; → 1",
    ),
    Entry(
        "max", BUILTIN,
        params=(Param("x", NUMBER), Param("x", NUMBER, rest=True)),
        result=NUMBER,
        doc=(
            "Returns the largest of the real numbers `x`. If any argument is a float, the "
            "result is a float."),
        example="(max 3 1 2) ; → 3",
    ),
    Entry(
        "floor", BUILTIN,
        params=(Param("x", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the largest integer not greater than `x`, exact for an exact `x` and a "
            "float for a float."),
        example="(floor 2.7) ; → 2.0",
    ),
    Entry(
        "ceiling", BUILTIN,
        params=(Param("x", NUMBER),),
        result=NUMBER,
        doc="Returns the smallest integer not less than `x`, of the same exactness as `x`.",
        example="(ceiling 7/2) ; → 4",
    ),
    Entry(
        "round", BUILTIN,
        params=(Param("x", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the integer closest to `x`, ties going to the even one, of the same "
            "exactness as `x`. Use `exact-round` to get an exact integer from a float."),
        example="(round 2.5) ; → 2.0",
    ),
    Entry(
        "truncate", BUILTIN,
        params=(Param("x", NUMBER),),
        result=NUMBER,
        doc="Returns the integer part of `x` (rounded towards zero), of the same exactness.",
        example="(truncate -2.7) ; → -2.0",
    ),
    Entry(
        "exact->inexact", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc="Returns the float closest to `z`.",
        example="(exact->inexact 1/3) ; → 0.3333333333333333",
    ),
    Entry(
        "inexact", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc="Returns the float closest to `z`. Same as `exact->inexact`, under its newer Racket name.",
        example="(inexact 1/4) ; → 0.25",
    ),
    Entry(
        "real->double-flonum", BUILTIN,
        params=(Param("x", NUMBER),),
        result=NUMBER,
        doc="Returns the float closest to the real number `x`. Same as `exact->inexact`.",
        example="(real->double-flonum 1/2) ; → 0.5",
    ),
    Entry(
        "inexact->exact", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the exact number equal to `z` (a float becomes an exact rational). "
            "Raises an error for infinities and NaN."),
        example="(inexact->exact 0.5) ; → 1/2",
    ),
    Entry(
        "exact", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the exact number equal to `z`. Same as `inexact->exact`, under its newer "
            "Racket name: raises an error for infinities and NaN."),
        example="(exact 0.5) ; → 1/2",
    ),
    Entry(
        "exact-round", BUILTIN,
        params=(Param("x", NUMBER),),
        result=INTEGER,
        doc=(
            "Returns `(inexact->exact (round x))`: the nearest exact integer (ties to even), "
            "handy for turning a computed float into a count. Infinities and NaN are an "
            "error (`x` must be `rational?`)."),
        example="(exact-round 2.6) ; → 3",
    ),
    Entry(
        "exact-floor", BUILTIN,
        params=(Param("x", NUMBER),),
        result=INTEGER,
        doc=(
            "Returns `(inexact->exact (floor x))`: the largest exact integer not greater than "
            "`x`. Raises an error for infinities and NaN."),
        example="(exact-floor 2.7) ; → 2",
    ),
    Entry(
        "exact-ceiling", BUILTIN,
        params=(Param("x", NUMBER),),
        result=INTEGER,
        doc=(
            "Returns `(inexact->exact (ceiling x))`: the smallest exact integer not less than "
            "`x`, e.g. a number of batches. Raises an error for infinities and NaN."),
        example="(exact-ceiling (/ 10 3)) ; → 4",
    ),
    Entry(
        "exact-truncate", BUILTIN,
        params=(Param("x", NUMBER),),
        result=INTEGER,
        doc=(
            "Returns `(inexact->exact (truncate x))`: the integer part of `x` as an exact "
            "integer (rounded towards zero). Raises an error for infinities and NaN."),
        example="(exact-truncate -2.7) ; → -2",
    ),
    Entry(
        "sqrt", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the square root of `z`; exact when `z` is an exact perfect square, a "
            "float otherwise."),
        example="(sqrt 16) ; → 4",
    ),
    Entry(
        "expt", BUILTIN,
        params=(Param("z", NUMBER), Param("w", NUMBER)),
        result=NUMBER,
        doc=(
            "Returns `z` raised to the power `w`: exact for an exact `z` and an exact integer "
            "`w`. As in Racket, an exact 0 power or an exact 1 base gives exact 1 (`(expt "
            "2.5 0)` is 1), and an exact 0 base with a negative power is an error."),
        example="(expt 2 10) ; → 1024",
    ),
    Entry(
        "=", BUILTIN,
        params=(Param("z", NUMBER), Param("w", NUMBER), Param("w", NUMBER, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if all the arguments are numerically equal (`(= 1 1.0)` is `#t`), "
            "`#f` otherwise. Takes at least two arguments (Racket also accepts one). Raises "
            "an error on a non-number; compare strings with `string=?` and other values with "
            "`equal?`."),
        example="(= 2 2.0) ; → #t",
    ),
    Entry(
        "<", BUILTIN,
        params=(Param("x", NUMBER), Param("y", NUMBER), Param("y", NUMBER, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the arguments, at least two numbers, are in strictly increasing "
            "order, `#f` otherwise."),
        example="(< 1 2 3) ; → #t",
    ),
    Entry(
        ">", BUILTIN,
        params=(Param("x", NUMBER), Param("y", NUMBER), Param("y", NUMBER, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the arguments, at least two numbers, are in strictly decreasing "
            "order, `#f` otherwise."),
        example="(> 3 2 1) ; → #t",
    ),
    Entry(
        "<=", BUILTIN,
        params=(Param("x", NUMBER), Param("y", NUMBER), Param("y", NUMBER, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the arguments, at least two numbers, are in non-decreasing "
            "order, `#f` otherwise."),
        example="(<= 1 1 2) ; → #t",
    ),
    Entry(
        ">=", BUILTIN,
        params=(Param("x", NUMBER), Param("y", NUMBER), Param("y", NUMBER, rest=True)),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the arguments, at least two numbers, are in non-increasing "
            "order, `#f` otherwise."),
        example="(>= 0.7 0.7) ; → #t",
    ),
    Entry(
        "zero?", BUILTIN,
        params=(Param("z", NUMBER),),
        result=BOOLEAN,
        doc="Returns `#t` if `z` is 0 (exact or float), `#f` otherwise.",
        example="(zero? (length '())) ; → #t",
    ),
    Entry(
        "positive?", BUILTIN,
        params=(Param("x", NUMBER),),
        result=BOOLEAN,
        doc="Returns `#t` if `x` is greater than 0, `#f` otherwise.",
        example="(positive? 3) ; → #t",
    ),
    Entry(
        "negative?", BUILTIN,
        params=(Param("x", NUMBER),),
        result=BOOLEAN,
        doc="Returns `#t` if `x` is less than 0, `#f` otherwise.",
        example="(negative? -1) ; → #t",
    ),
    Entry(
        "even?", BUILTIN,
        params=(Param("n", INTEGER),),
        result=BOOLEAN,
        doc="Returns `#t` if the integer `n` is even, `#f` otherwise.",
        example="(even? 4) ; → #t",
    ),
    Entry(
        "odd?", BUILTIN,
        params=(Param("n", INTEGER),),
        result=BOOLEAN,
        doc="Returns `#t` if the integer `n` is odd, `#f` otherwise.",
        example="(odd? 4) ; → #f",
    ),
    Entry(
        "number?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a number, `#f` otherwise. The string `\"3\"` is not a number.",
        example="(number? (string->number \"3\")) ; → #t",
    ),
    Entry(
        "integer?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is an integer, exact or float (`2.0` counts), `#f` otherwise.",
        example="(integer? 2.0) ; → #t",
    ),
    Entry(
        "real?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a real number (every number of the language), `#f` otherwise.",
        example="(real? 1/2) ; → #t",
    ),
    Entry(
        "rational?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is a rational number — any exact number, or a float that is "
            "neither infinite nor NaN — `#f` otherwise."),
        example="(rational? 0.5) ; → #t",
    ),
    Entry(
        "exact-integer?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is an exact integer, `#f` otherwise: `2.0` is an `integer?` "
            "but not an exact one."),
        example="(exact-integer? 2.0) ; → #f",
    ),
    Entry(
        "exact-nonnegative-integer?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is an exact integer ≥ 0 — a valid count, index or list "
            "position — `#f` otherwise. Same as `natural?`."),
        example="(exact-nonnegative-integer? 0) ; → #t",
    ),
    Entry(
        "exact-positive-integer?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is an exact integer greater than 0, `#f` otherwise.",
        example="(exact-positive-integer? 0) ; → #f",
    ),
    Entry(
        "natural?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is an exact non-negative integer, `#f` otherwise. Same as "
            "`exact-nonnegative-integer?`."),
        example="(natural? 3) ; → #t",
    ),
    Entry(
        "exact?", BUILTIN,
        params=(Param("z", NUMBER),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the number `z` is exact (an integer or a fraction such as `1/2`), "
            "`#f` if it is a float. Raises an error if `z` is not a number."),
        example="(exact? 1/2) ; → #t",
    ),
    Entry(
        "inexact?", BUILTIN,
        params=(Param("z", NUMBER),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the number `z` is a float, `#f` if it is exact. Raises an error "
            "if `z` is not a number."),
        example="(inexact? 0.5) ; → #t",
    ),
    Entry(
        "flonum?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is a float (an inexact real such as `1.5`, `+inf.0` or "
            "`+nan.0`), `#f` otherwise."),
        example="(flonum? 1.0) ; → #t",
    ),
    Entry(
        "nan?", BUILTIN,
        params=(Param("x"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the real number `x` is the float not-a-number `+nan.0`, `#f` "
            "otherwise. A value that is not a real number is an error, as in Racket."),
        example="(nan? (/ 0.0 0.0)) ; → #t",
    ),
    Entry(
        "infinite?", BUILTIN,
        params=(Param("x"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if the real number `x` is `+inf.0` or `-inf.0`, `#f` otherwise. A "
            "value that is not a real number is an error, as in Racket."),
        example="(infinite? (/ 1.0 0.0)) ; → #t",
    ),
    Entry(
        "log", BUILTIN,
        params=(Param("z", NUMBER), Param("b", NUMBER, optional=True, default="e")),
        result=NUMBER,
        doc=(
            "Returns the natural logarithm of `z`, or its logarithm in base `b` when given: "
            "a float, but exact 0 for an exact 1 (`(log 1)` is 0). `(log 0)` is an error for "
            "exact 0, as is an exact base 1."),
        example="(log 100 10) ; → 2.0",
    ),
    Entry(
        "exp", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc="Returns Euler's number raised to the power `z`.",
        example="(exp 0) ; → 1",
    ),
    Entry(
        "sin", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the sine of `z`, an angle in radians, as a float; exact 0 for an exact "
            "0, as in Racket."),
        example="(sin 0) ; → 0",
    ),
    Entry(
        "cos", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the cosine of `z`, an angle in radians, as a float; exact 1 for an exact "
            "0, as in Racket."),
        example="(cos 0) ; → 1",
    ),
    Entry(
        "tan", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the tangent of `z`, an angle in radians, as a float; exact 0 for an "
            "exact 0, as in Racket."),
        example="(tan 0) ; → 0",
    ),
    Entry(
        "asin", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the arcsine of `z` in radians, a float between −π/2 and π/2 (exact 0 "
            "for an exact 0). Raises an error when `z` is outside [−1, 1] (complex results "
            "are not supported)."),
        example="(asin 1) ; → 1.5707963267948966",
    ),
    Entry(
        "acos", BUILTIN,
        params=(Param("z", NUMBER),),
        result=NUMBER,
        doc=(
            "Returns the arccosine of `z` in radians, a float between 0 and π (exact 0 for "
            "an exact 1). Raises an error when `z` is outside [−1, 1] (complex results are "
            "not supported)."),
        example="(acos 1) ; → 0",
    ),
    Entry(
        "atan", BUILTIN,
        params=(Param("y", NUMBER), Param("x", NUMBER, optional=True)),
        result=NUMBER,
        doc=(
            "With one argument, returns the arctangent of `y` in radians, a float between "
            "−π/2 and π/2 (exact 0 for an exact 0). With two, returns the angle of the point "
            "(`x`, `y`): the arctangent of `y`/`x` in the right quadrant, between −π and π; "
            "exact 0 when `y` is exact 0 and `x` exact positive, an error when both are "
            "exact 0."),
        example="(atan 1 1) ; → 0.7853981633974483",
    ),
    Entry(
        "random", BUILTIN,
        params=(Param("k", INTEGER, optional=True), Param("max", INTEGER, optional=True)),
        result=NUMBER,
        signature_text=(
            "(random) → number\n(random k) → integer\n(random min max) → integer"),
        doc=(
            "With no argument, returns a random float between 0 and 1 (exclusive). With one "
            "positive integer `k`, returns a random exact integer from 0 to `k`−1; with two, "
            "from `min` to `max`−1. Raises an error when the range is empty."),
        example="(random 6) ; → an integer from 0 to 5",
    ),
    # ------------------------------------------------------------------------------------
    # §4 Built-in procedures: equality and predicates
    # ------------------------------------------------------------------------------------
    Entry(
        "eq?", BUILTIN,
        params=(Param("v1"), Param("v2")),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v1` and `v2` are the same object. Reliable for symbols, "
            "keywords, booleans, characters, the empty list and exact integers. Equal string "
            "literals are `eq?` (interned, as Racket's reader does), but a string built at "
            "run time is a new object; use `equal?` for strings and lists."),
        example="(eq? 'a 'a) ; → #t",
    ),
    Entry(
        "eqv?", BUILTIN,
        params=(Param("v1"), Param("v2")),
        result=BOOLEAN,
        doc=(
            "Like `eq?`, but also `#t` for numbers of the same exactness and value (`(eqv? 1 "
            "1.0)` is `#f`; `0.0` and `-0.0` differ, `+nan.0` is `eqv?` to itself) and for "
            "equal characters."),
        example="(eqv? 1.5 1.5) ; → #t",
    ),
    Entry(
        "equal?", BUILTIN,
        params=(Param("v1"), Param("v2")),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v1` and `v2` are `eqv?` or are strings, pairs, vectors or hash "
            "tables with `equal?` contents. The usual equality for data."),
        example="(equal? '(1 \"a\") (list 1 \"a\")) ; → #t",
    ),
    Entry(
        "not", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is `#f`, and `#f` for any other value.",
        example="(not (member 4 '(1 2 3))) ; → #t",
    ),
    Entry(
        "boolean?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is `#t` or `#f`, `#f` otherwise.",
        example="(boolean? #f) ; → #t",
    ),
    Entry(
        "symbol?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a symbol, `#f` otherwise.",
        example="(symbol? 'majority) ; → #t",
    ),
    Entry(
        "procedure?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a procedure (built-in, primitive or user-defined).",
        example="(procedure? car) ; → #t",
    ),
    Entry(
        "hash?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is a hash table — for instance a JSON object decoded by "
            "`py-eval` — `#f` otherwise."),
        example="(hash? (make-hash)) ; → #t",
    ),
    Entry(
        "keyword?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a keyword value, such as the quoted `'#:key`, `#f` otherwise.",
        example="(keyword? '#:key) ; → #t",
    ),
    Entry(
        "syntax?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is a syntax object — LLM text returned by `llm-query` or "
            "`await`, not yet unwrapped with `syntax-e` — `#f` otherwise."),
        example="(syntax? (datum->syntax #f \"text\")) ; → #t",
    ),
    Entry(
        "void", BUILTIN,
        params=(Param("v", rest=True),),
        result=VOID,
        doc=(
            "Ignores its arguments and returns the void value, which `display` prints as "
            "nothing and `py-set!` converts to Python's None."),
        example="(void 1 2) ; → #<void>",
    ),
    Entry(
        "void?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is the void value — the result of `void`, `for`, `set!` or a "
            "`when` whose test is false — `#f` otherwise."),
        example="(void? (void)) ; → #t",
    ),
    # ------------------------------------------------------------------------------------
    # §4 Built-in procedures: hashes
    # ------------------------------------------------------------------------------------
    Entry(
        "make-hash", BUILTIN,
        params=(Param("assocs", LIST, optional=True, default="'()"),),
        result=HASH,
        doc=(
            "Returns a new mutable hash table comparing keys with `equal?`, initialised "
            "from the optional association list `assocs` of `(key . value)` pairs."),
        example="(hash-ref (make-hash '((a . 1))) 'a) ; → 1",
    ),
    Entry(
        "make-hasheq", BUILTIN,
        params=(Param("assocs", LIST, optional=True, default="'()"),),
        result=HASH,
        doc=(
            "Returns a new mutable hash table initialised from the association list "
            "`assocs`, comparing keys with `eq?`: suited to symbol keys. A string or list "
            "built at run time is a key of its own (use `make-hash` for those)."),
        example="(hash-ref (make-hasheq '((a . 1))) 'a) ; → 1",
    ),
    Entry(
        "make-hasheqv", BUILTIN,
        params=(Param("assocs", LIST, optional=True, default="'()"),),
        result=HASH,
        doc=(
            "Returns a new mutable hash table initialised from the association list "
            "`assocs`, comparing keys with `eqv?`: numbers by value and exactness, strings "
            "and lists by identity (use `make-hash` for those)."),
        example="(hash-ref (make-hasheqv '((1 . one))) 1) ; → 'one",
    ),
    Entry(
        "make-immutable-hash", BUILTIN,
        params=(Param("assocs", LIST, optional=True, default="'()"),),
        result=HASH,
        doc=(
            "Returns an immutable hash table comparing keys with `equal?`, holding the "
            "`(key . value)` pairs of the association list `assocs`. Extend it with "
            "`hash-set`, which returns a new table; `hash-set!` on it is an error."),
        example="(hash-ref (make-immutable-hash '((a . 1))) 'a) ; → 1",
    ),
    Entry(
        "make-immutable-hasheq", BUILTIN,
        params=(Param("assocs", LIST, optional=True, default="'()"),),
        result=HASH,
        doc=(
            "Like `make-immutable-hash`, but keys are compared with `eq?`: symbols, numbers "
            "and literals find their entries, a string or list built at run time is a key of "
            "its own."),
        example="(hash-ref (make-immutable-hasheq '((a . 1))) 'a) ; → 1",
    ),
    Entry(
        "hash", BUILTIN,
        params=(Param("key-and-val", rest=True),),
        result=HASH,
        signature_text="(hash key val ... ...) → hash",
        doc=(
            "Returns a hash table comparing keys with `equal?`, holding the given keys "
            "mapped to the values that follow them; a later key replaces an earlier equal "
            "one. An odd number of arguments is an error."),
        example="(hash-ref (hash 'model \"gpt-4o-mini\" 'n 3) 'n) ; → 3",
    ),
    Entry(
        "hasheq", BUILTIN,
        params=(Param("key-and-val", rest=True),),
        result=HASH,
        signature_text="(hasheq key val ... ...) → hash",
        doc=(
            "Returns an immutable hash table of the given keys and values, comparing keys "
            "with `eq?`: suited to symbol keys. A string built at run time is a different key "
            "from an equal literal. An odd number of arguments is an error."),
        example="(hash-ref (hasheq 'a 1) 'a) ; → 1",
    ),
    Entry(
        "hasheqv", BUILTIN,
        params=(Param("key-and-val", rest=True),),
        result=HASH,
        signature_text="(hasheqv key val ... ...) → hash",
        doc=(
            "Returns an immutable hash table of the given keys and values, comparing keys "
            "with `eqv?` (numbers by value and exactness, strings and lists by identity). An "
            "odd number of arguments is an error."),
        example="(hash-ref (hasheqv 1 'one) 1) ; → 'one",
    ),
    Entry(
        "hash-ref", BUILTIN,
        params=(Param("hash", HASH), Param("key"),
                Param("failure-result", optional=True)),
        doc=(
            "Returns the value for `key` in `hash`. If there is none, returns "
            "`failure-result` — or, when it is a procedure, the result of calling it with no "
            "arguments — and raises an error when no `failure-result` is given. JSON objects "
            "from Python have symbol keys: `(hash-ref d 'total)`, not `\"total\"`."),
        example="(hash-ref (hash 'a 1) 'b 0) ; → 0",
    ),
    Entry(
        "hash-ref!", BUILTIN,
        params=(Param("hash", HASH), Param("key"), Param("to-set")),
        doc=(
            "Returns the value for `key` in `hash`; when there is none, stores `to-set` — or "
            "the result of calling it with no arguments, when it is a procedure — under `key` "
            "in the mutable `hash`, and returns it. A cache lookup in one call: "
            "`(hash-ref! cache k (lambda () (compute k)))`."),
        example="(define h (make-hash))\n(hash-ref! h 'n 5) ; → 5, and h now maps 'n to 5",
    ),
    Entry(
        "hash-set!", BUILTIN,
        params=(Param("hash", HASH), Param("key"), Param("v")),
        result=VOID,
        doc=(
            "Maps `key` to `v` in the hash table `hash`, replacing any previous value, and "
            "returns `void`."),
        example="(define h (make-hash))\n(hash-set! h 'done 3) ; h now maps 'done to 3",
    ),
    Entry(
        "hash-set", BUILTIN,
        params=(Param("hash", HASH), Param("key"), Param("v")),
        result=HASH,
        doc=(
            "Returns a new immutable hash table like `hash` but with `key` mapped to `v`; "
            "`hash` itself is unchanged. `hash` must be immutable (made by `hash` or "
            "`make-immutable-hash`): a mutable table is an error, use `hash-set!` on it."),
        example="(hash-ref (hash-set (hash) 'a 1) 'a) ; → 1",
    ),
    Entry(
        "hash-update!", BUILTIN,
        params=(Param("hash", HASH), Param("key"), Param("updater", PROCEDURE),
                Param("failure-result", optional=True)),
        result=VOID,
        doc=(
            "Replaces the value for `key` in the mutable `hash` with the result of calling "
            "`updater` on it. When the key is absent, `updater` receives `failure-result` "
            "(or the result of calling it, when a procedure); without one, an absent key is "
            "an error. The usual way to count: `(hash-update! h k add1 0)`."),
        example="(define h (make-hash))\n(hash-update! h 'seen add1 0) ; h maps 'seen to 1",
    ),
    Entry(
        "hash-update", BUILTIN,
        params=(Param("hash", HASH), Param("key"), Param("updater", PROCEDURE),
                Param("failure-result", optional=True)),
        result=HASH,
        doc=(
            "Returns a new hash table like `hash` but with the value for `key` replaced by "
            "the result of calling `updater` on it; `hash` itself is unchanged. When the key "
            "is absent, `updater` receives `failure-result` (or the result of calling it, "
            "when a procedure); without one, an absent key is an error. A mutable `hash` is "
            "accepted too and gives a mutable copy."),
        example="(hash-ref (hash-update (hash 'n 1) 'n add1) 'n) ; → 2",
    ),
    Entry(
        "hash-remove!", BUILTIN,
        params=(Param("hash", HASH), Param("key")),
        result=VOID,
        doc="Removes any mapping for `key` from the mutable hash table `hash`.",
        example="(hash-remove! h 'draft)",
    ),
    Entry(
        "hash-remove", BUILTIN,
        params=(Param("hash", HASH), Param("key")),
        result=HASH,
        doc=(
            "Returns a new hash table like `hash` but without a mapping for `key`; `hash` "
            "itself is unchanged. Unlike Racket, a mutable `hash` is accepted too and gives a "
            "mutable copy."),
        example="(hash-count (hash-remove (hash 'a 1 'b 2) 'a)) ; → 1",
    ),
    Entry(
        "hash-clear!", BUILTIN,
        params=(Param("hash", HASH),),
        result=VOID,
        doc=(
            "Removes every mapping from the mutable hash table `hash` and returns `void`. An "
            "immutable table is an error."),
        example="(define h (make-hash '((a . 1))))\n(hash-clear! h) ; h is now empty",
    ),
    Entry(
        "hash-has-key?", BUILTIN,
        params=(Param("hash", HASH), Param("key")),
        result=BOOLEAN,
        doc="Returns `#t` if `hash` has a value for `key`, `#f` otherwise.",
        example="(hash-has-key? (hash 'a 1) 'a) ; → #t",
    ),
    Entry(
        "hash-keys", BUILTIN,
        params=(Param("hash", HASH),),
        result=LIST,
        doc="Returns a list of the keys of `hash`, in an unspecified order.",
        example="(hash-keys (hash 'a 1)) ; → '(a)",
    ),
    Entry(
        "hash-values", BUILTIN,
        params=(Param("hash", HASH),),
        result=LIST,
        doc="Returns a list of the values of `hash`, in an unspecified order.",
        example="(hash-values (hash 'a 1)) ; → '(1)",
    ),
    Entry(
        "hash->list", BUILTIN,
        params=(Param("hash", HASH),),
        result=LIST,
        doc="Returns a list of the `(key . value)` pairs of `hash`, in an unspecified order.",
        example="(hash->list (hash 'a 1)) ; → '((a . 1))",
    ),
    Entry(
        "hash-count", BUILTIN,
        params=(Param("hash", HASH),),
        result=NATURAL,
        doc="Returns the number of keys in `hash`.",
        example="(hash-count (hash 'a 1 'b 2)) ; → 2",
    ),
    Entry(
        "hash-empty?", BUILTIN,
        params=(Param("hash", HASH),),
        result=BOOLEAN,
        doc="Returns `#t` if `hash` has no keys, `#f` otherwise.",
        example="(hash-empty? (make-hash)) ; → #t",
    ),
    Entry(
        "hash-copy", BUILTIN,
        params=(Param("hash", HASH),),
        result=HASH,
        doc=(
            "Returns a new mutable hash table with the keys and values of `hash`, mutable or "
            "not; changing one table does not change the other."),
        example="(define h (hash-copy (hash 'a 1)))\n(hash-set! h 'b 2) ; h maps 'a and 'b",
    ),
    Entry(
        "hash-map", BUILTIN,
        params=(Param("hash", HASH), Param("proc", PROCEDURE)),
        result=LIST,
        doc=(
            "Calls `proc` with each key of `hash` and its value, one call after another, and "
            "returns the list of the results, in an unspecified order. Note the argument "
            "order: the hash comes first."),
        example="(hash-map (hash 'a 1) (lambda (k v) (list k v))) ; → '((a 1))",
    ),
    Entry(
        "hash-for-each", BUILTIN,
        params=(Param("hash", HASH), Param("proc", PROCEDURE)),
        result=VOID,
        doc=(
            "Calls `proc` with each key of `hash` and its value, one call after another, for "
            "its effect, and returns `void`. The order is unspecified."),
        example="(hash-for-each (hash 'a 1) (lambda (k v) (printf \"~a=~a\\n\" k v))) ; prints a=1",
    ),
    # ------------------------------------------------------------------------------------
    # §4 Built-in procedures: errors
    # ------------------------------------------------------------------------------------
    Entry(
        "error", BUILTIN,
        params=(Param("msg-or-symbol"), Param("v", rest=True)),
        result=NEVER,
        cost=CONTROL,
        signature_text=(
            "(error message-sym) → never\n"
            "(error message-str v ...) → never\n"
            "(error src-sym format-str v ...) → never"),
        doc=(
            "Raises an error (an `exn:fail`), which `try`, `with-handlers` or `try-fallback` "
            "can catch; uncaught, it fails the run with its message. With a symbol and a "
            "format string, the message is `src-sym: ` followed by the string formatted "
            "with the `v`s as by `format`; with a string, the message is that string "
            "followed by the `v`s printed with `~s`."),
        example=(
            "(error 'extract \"expected ~a fields, got ~a\" 3 2)"
            " ; raises \"extract: expected 3 fields, got 2\""),
    ),
    Entry(
        "raise", BUILTIN,
        params=(Param("v"), Param("barrier?", BOOLEAN, optional=True, default="#t")),
        result=NEVER,
        cost=CONTROL,
        doc=(
            "Raises `v` as an exception. Any value can be raised; only `with-handlers` "
            "clauses whose predicate accepts it catch it (`exn:fail?` does not accept a "
            "raised string or symbol, and `try` catches errors only). Prefer `error` for "
            "failures."),
        example="(with-handlers ([string? identity]) (raise \"stop\")) ; → \"stop\"",
    ),
    Entry(
        "raise-argument-error", BUILTIN,
        params=(Param("name", SYMBOL), Param("expected", STRING), Param("v"),
                Param("v", rest=True)),
        result=NEVER,
        cost=CONTROL,
        doc=(
            "Raises a contract error (an `exn:fail:contract`) whose message is `name: "
            "contract violation: expected <expected>, given <v>`, with `v` shown as `write` "
            "prints it. Only this three-argument form is supported: in Racket's form with an "
            "argument position, `(raise-argument-error name expected pos v ...)`, the "
            "message shows `pos` as the value and the other arguments are ignored."),
        example=(
            "(raise-argument-error 'summarise \"string?\" 42)"
            " ; raises \"summarise: contract violation: expected string?, given 42\""),
    ),
    Entry(
        "exn:fail?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is an error raised by `error`, by a failing primitive or by "
            "a procedure given bad arguments, `#f` otherwise. The usual predicate of a "
            "`with-handlers` clause."),
        example="(with-handlers ([exn:fail? (lambda (e) 'failed)]) (car '())) ; → 'failed",
    ),
    Entry(
        "exn?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is an error value — raised by `error`, by a failing "
            "primitive or built-in, or made by `make-exn:fail` — `#f` otherwise. Same as "
            "`exn:fail?` here: every error value is an `exn:fail`."),
        example="(with-handlers ([exn? (lambda (e) 'caught)]) (error 'step \"boom\")) ; → 'caught",
    ),
    Entry(
        "exn:fail:contract?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is the error of a bad call — an argument of the wrong type "
            "or out of range, the wrong number of arguments, a division by zero, a variable "
            "used before its definition — `#f` for other errors (such as those of `error`) "
            "and other values."),
        example=(
            "(with-handlers ([exn:fail:contract? (lambda (e) 'bad-call)]) (car '()))"
            " ; → 'bad-call"),
    ),
    Entry(
        "exn:fail:contract:divide-by-zero?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is the error of a division by zero — `(/ 1 0)`, "
            "`quotient`, `remainder` or `modulo` by 0, `(log 0)` — `#f` otherwise. `/` with the "
            "float `0.0` as divisor gives an infinity or NaN instead of an error."),
        example=(
            "(with-handlers ([exn:fail:contract:divide-by-zero? (lambda (e) 0)]) (/ 1 0))"
            " ; → 0"),
    ),
    Entry(
        "exn:fail:contract:variable?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is the error of a variable used before its definition has "
            "run, or of `finish-var` given an unknown name, `#f` otherwise. (A name defined "
            "nowhere is reported before the run starts.)"),
        example=(
            "(with-handlers ([exn:fail:contract:variable? (lambda (e) 'none)])"
            " (finish-var \"nope\")) ; → 'none"),
    ),
    Entry(
        "exn-message", BUILTIN,
        params=(Param("exn"),),
        result=STRING,
        doc="Returns the message string of the error `exn`.",
        example=(
            "(with-handlers ([exn:fail? exn-message]) (error 'step \"timed out\"))"
            " ; → \"step: timed out\""),
    ),
    Entry(
        "make-exn:fail", BUILTIN,
        params=(Param("message", STRING), Param("marks", optional=True, default="#f")),
        doc=(
            "Returns an error value with the message `message`, which `exn:fail?` accepts "
            "and `exn-message` reads; `raise` it to fail with that message. `marks` stands "
            "for Racket's continuation marks, which Racket requires: here it is optional and "
            "ignored."),
        example="(exn-message (make-exn:fail \"stopped\" #f)) ; → \"stopped\"",
    ),
    # ------------------------------------------------------------------------------------
    # §4 Built-in procedures: values, procedures, output, vectors
    # ------------------------------------------------------------------------------------
    Entry(
        "values", BUILTIN,
        params=(Param("v", rest=True),),
        result=VALUES,
        doc=(
            "Returns the `v`s as multiple values, to be received by `define-values`, "
            "`let-values` or `call-with-values`. `(values v)` is just `v`."),
        example="(define-values (q r) (values 3 1)) ; q = 3, r = 1",
    ),
    Entry(
        "call-with-values", BUILTIN,
        params=(Param("generator", PROCEDURE), Param("receiver", PROCEDURE)),
        doc=(
            "Calls `generator` with no arguments and passes the values it returns as the "
            "arguments of `receiver`, returning `receiver`'s result."),
        example="(call-with-values (lambda () (values 1 2)) +) ; → 3",
    ),
    Entry(
        "identity", BUILTIN,
        params=(Param("v"),),
        doc=(
            "Returns `v`. The default `#:leaf-fn` of `tree-reduce` and `#:key-fn` of "
            "`memoized`."),
        example="(identity 5) ; → 5",
    ),
    Entry(
        "procedure-arity", BUILTIN,
        params=(Param("proc", PROCEDURE),),
        doc=(
            "Returns how many positional arguments `proc` takes, as Racket does: an exact "
            "integer when the number is fixed, `(arity-at-least n)` when it takes `n` or "
            "more (a rest argument), and a list of the counts when it has optional "
            "arguments (`'(1 2)`). Keyword arguments are not counted."),
        example="(procedure-arity (lambda (x y) x)) ; → 2",
    ),
    Entry(
        "arity-at-least?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc=(
            "Returns `#t` if `v` is an `arity-at-least` value, what `procedure-arity` returns "
            "for a procedure taking any number of arguments beyond a minimum."),
        example="(arity-at-least? (procedure-arity +)) ; → #t",
    ),
    Entry(
        "arity-at-least-value", BUILTIN,
        params=(Param("a"),),
        result=NATURAL,
        doc=(
            "Returns the minimum number of arguments recorded in the `arity-at-least` value "
            "`a`; anything else is an error."),
        example="(arity-at-least-value (procedure-arity (lambda (x . more) x))) ; → 1",
    ),
    Entry(
        "sleep", BUILTIN,
        params=(Param("secs", NUMBER, optional=True, default="0"),),
        result=VOID,
        cost=SLEEP,
        doc=(
            "Pauses for `secs` seconds (a non-negative real, default 0) and returns `void`. "
            "Only the current strand waits: LLM calls already in flight and other strands "
            "of a fan-out keep running."),
        example="(sleep 1.5) ; waits a second and a half",
    ),
    Entry(
        "current-seconds", BUILTIN,
        result=INTEGER,
        doc=(
            "Returns the current time as a whole number of seconds since the Unix epoch "
            "(1970-01-01 UTC)."),
        example="(current-seconds) ; → e.g. 1767225600",
    ),
    Entry(
        "current-inexact-milliseconds", BUILTIN,
        result=NUMBER,
        doc=(
            "Returns the current time in milliseconds since the Unix epoch, as a float with a "
            "fractional part: subtract two readings to time a step."),
        example=(
            "(define t0 (current-inexact-milliseconds))\n"
            "(- (current-inexact-milliseconds) t0) ; → the elapsed milliseconds"),
    ),
    Entry(
        "eprintf", BUILTIN,
        params=(Param("form", STRING), Param("v", rest=True)),
        result=VOID,
        doc=(
            "Like `printf`, but writes to standard error, which is not part of the recipe's "
            "output: use it for progress and diagnostics."),
        example="(eprintf \"chunk ~a of ~a\\n\" 2 10) ; prints to stderr",
    ),
    Entry(
        "vector", BUILTIN,
        params=(Param("v", rest=True),),
        result=VECTOR,
        doc="Returns a new mutable vector holding the `v`s, in order.",
        example="(vector 1 2 3) ; → '#(1 2 3)",
    ),
    Entry(
        "vector?", BUILTIN,
        params=(Param("v"),),
        result=BOOLEAN,
        doc="Returns `#t` if `v` is a vector, `#f` otherwise; a list is not a vector.",
        example="(vector? (vector 1 2)) ; → #t",
    ),
    Entry(
        "vector-ref", BUILTIN,
        params=(Param("vec", VECTOR), Param("pos", NATURAL)),
        doc=(
            "Returns the element of `vec` at position `pos`, counting from 0. Raises an "
            "error if `pos` is not less than the vector's length."),
        example="(vector-ref (vector 'a 'b) 1) ; → 'b",
    ),
    Entry(
        "vector->list", BUILTIN,
        params=(Param("vec", VECTOR),),
        result=LIST,
        doc="Returns a list of the elements of `vec`, in order.",
        example="(vector->list (vector 1 2)) ; → '(1 2)",
    ),
    Entry(
        "list->vector", BUILTIN,
        params=(Param("lst", LIST),),
        result=VECTOR,
        doc="Returns a new mutable vector of the elements of `lst`, in order.",
        example="(list->vector '(1 2)) ; → '#(1 2)",
    ),
    Entry(
        "make-vector", BUILTIN,
        params=(Param("size", NATURAL), Param("v", optional=True, default="0")),
        result=VECTOR,
        doc=(
            "Returns a new mutable vector of `size` elements, each initialised to `v` "
            "(default 0). Handy for collecting results by index."),
        example="(make-vector 3 #f) ; → '#(#f #f #f)",
    ),
    Entry(
        "vector-set!", BUILTIN,
        params=(Param("vec", VECTOR), Param("pos", NATURAL), Param("v")),
        result=VOID,
        doc=(
            "Stores `v` at position `pos` of the mutable vector `vec`. Raises an error if "
            "`pos` is out of range."),
        example="(define v (make-vector 2 0))\n(vector-set! v 0 'x) ; v is now '#(x 0)",
    ),
    Entry(
        "vector-length", BUILTIN,
        params=(Param("vec", VECTOR),),
        result=NATURAL,
        doc="Returns the number of elements of `vec`.",
        example="(vector-length (vector 1 2 3)) ; → 3",
    ),
    Entry(
        "vector-map", BUILTIN,
        params=(Param("proc", PROCEDURE), Param("vec", VECTOR), Param("vec", VECTOR, rest=True)),
        result=VECTOR,
        doc=(
            "Returns a new vector of the results of calling `proc` on each element of `vec`, "
            "one call after another, in order. With several vectors, `proc` takes one "
            "argument per vector and all vectors must have the same length."),
        example="(vector-map add1 (vector 1 2)) ; → '#(2 3)",
    ),
    Entry(
        "vector-fill!", BUILTIN,
        params=(Param("vec", VECTOR), Param("v")),
        result=VOID,
        doc="Stores `v` at every position of the mutable vector `vec` and returns `void`.",
        example="(define v (make-vector 3 0))\n(vector-fill! v 'x) ; v is now '#(x x x)",
    ),
    Entry(
        "vector-copy", BUILTIN,
        params=(Param("vec", VECTOR),),
        result=VECTOR,
        doc=(
            "Returns a new mutable vector with the elements of `vec`; changing one does not "
            "change the other. Racket's optional start and end positions are not supported."),
        example="(vector-copy (vector 1 2)) ; → '#(1 2)",
    ),
    # Values Racket provides next to `null?`/`empty?`.
    Entry(
        "empty", VARIABLE,
        result=LIST,
        doc="The empty list, `'()`. Same as `null`.",
        example="(cons 1 empty) ; → '(1)",
    ),
    Entry(
        "null", VARIABLE,
        result=LIST,
        doc="The empty list, `'()`. Same as `empty`.",
        example="(null? null) ; → #t",
    ),
    # ------------------------------------------------------------------------------------
    # §6 The run environment
    # ------------------------------------------------------------------------------------
    Entry(
        "context", VARIABLE,
        protected=True,
        doc=(
            "The run's default input: a string, or JSON-decoded data (lists, hashes with "
            "symbol keys, numbers…) when the input was given as JSON. It comes from the "
            "command line or the editor, never from editing the recipe, and is also visible "
            "to Python code as the variable `context`. It is protected: `define` or `set!` "
            "on it is an error. It is data, not instructions: send it as `#:data`."),
        example="(llm-query #:instruction \"Summarise.\" #:data context)",
    ),
    Entry(
        "get-context", PRIMITIVE,
        params=(Param("name", STRING),),
        protected=True,
        doc=(
            "Returns the named input `name` given to the run (a string, or JSON-decoded "
            "data), or `#f` when the run has no input of that name. Check for `#f` before "
            "using the result."),
        example="(or (get-context \"style-guide\") \"\") ; → the named input, or \"\"",
    ),
    Entry(
        "token-budget", PARAMETER,
        result=NUMBER,
        protected=True,
        doc=(
            "A parameter bounding the tokens (prompt plus completion) that the LLM calls "
            "made inside a `parameterize` may spend in total: "
            "`(parameterize ([token-budget 50000]) body ...)`. The runtime never exceeds a "
            "budget — it reserves each call's worst case before sending it — and raises an "
            "error when a call would. Nested scopes are independent: an inner budget does "
            "not draw on the outer one. Outside any `parameterize` there is no limit."),
        example=(
            "(parameterize ([token-budget 20000])\n"
            "  (llm-query #:instruction \"Summarise.\" #:data context #:max-tokens 500))"),
    ),
    # ------------------------------------------------------------------------------------
    # §7 Primitives: LLM calls
    # ------------------------------------------------------------------------------------
    Entry(
        "llm-query", PRIMITIVE,
        keywords=(*LLM_KEYWORDS, RECURSIVE_KEYWORD),
        result=SYNTAX,
        cost=LLM_SYNC,
        protected=True,
        doc=(
            "Makes one chat-completion call and waits for the reply, blocking only the "
            "current strand of the recipe. Takes keyword arguments only: `#:instruction` is "
            "sent as the system message and `#:data` as the user message (the text "
            "`(no data provided)` when `#:data` is empty); `#:model`, `#:temperature`, "
            "`#:max-tokens`, `#:json` and `#:image`/`#:images` shape the request. The reply "
            "is returned as a syntax object, so LLM text cannot reach a string position "
            "unnoticed: unwrap it with `syntax-e`. With `#:recursive #t` the reply is run as "
            "a recipe in its own sandbox (depth limit 3). Raises an error when `#:json #t` "
            "is given but the instruction never mentions \"json\", when a token budget would "
            "be exceeded, or when the provider fails after its retries."),
        example=(
            "(syntax-e (llm-query #:instruction \"Answer yes or no.\" #:data question"
            " #:model \"gpt-4.1-nano\" #:max-tokens 5)) ; → \"yes\""),
    ),
    Entry(
        "unsafe-raw-query", PRIMITIVE,
        keywords=(*LLM_KEYWORDS, RECURSIVE_KEYWORD),
        result=STRING,
        cost=LLM_SYNC,
        protected=True,
        doc=(
            "Like `llm-query` — same keyword-only arguments, `#:instruction` as the system "
            "message and `#:data` as the user message — but returns the reply as a plain "
            "string instead of a syntax object. Meant for code generation and final output, "
            "where the text is not fed onward into other prompts; it bypasses the language's "
            "defence against prompt-injection cascades, so prefer `llm-query` plus "
            "`syntax-e`."),
        example=(
            "(unsafe-raw-query #:instruction \"Write a Python expression that sums xs.\""
            " #:max-tokens 50) ; → \"sum(xs)\""),
    ),
    Entry(
        "llm-query-async", PRIMITIVE,
        # `#:recursive` is accepted so that `#:recursive #f` (as the original allows) runs;
        # `#:recursive #t` is an error at run time and J006 in the linter.
        keywords=(*LLM_KEYWORDS, ASYNC_RECURSIVE_KEYWORD),
        result=HANDLE,
        cost=LLM_ASYNC,
        protected=True,
        doc=(
            "Starts one chat-completion call and returns an async handle at once, without "
            "waiting for the reply. Takes the same keyword-only arguments as `llm-query` "
            "(`#:instruction` is the system message, `#:data` the user message) except "
            "`#:recursive #t`, which is an error here (only `#f` is accepted). Collect the reply with `await`, "
            "`await-all` or `await-any`, or return the handle from the function given to "
            "`map-async`, `fan-out-aggregate` or `race`. A handle that is never awaited is "
            "a call paid for and thrown away."),
        example=(
            "(await-all (map (lambda (doc) (llm-query-async #:instruction \"Summarise.\""
            " #:data doc #:max-tokens 200)) docs)) ; → a list of strings"),
    ),
    Entry(
        "await", PRIMITIVE,
        params=(Param("h", HANDLE),),
        result=SYNTAX,
        cost=AWAIT,
        protected=True,
        doc=(
            "Waits for the call behind the async handle `h` to finish and returns its reply "
            "as a syntax object, like `llm-query` (unwrap with `syntax-e`). Raises an error "
            "if `h` is not a handle or the call failed. To wait for many handles use "
            "`await-all`, not `await` in a loop."),
        example="(syntax-e (await (llm-query-async #:instruction \"Say hi.\"))) ; → \"Hi!\"",
    ),
    Entry(
        "await-all", PRIMITIVE,
        params=(Param("hs", HANDLES),),
        result=STRINGS,
        cost=AWAIT,
        protected=True,
        doc=(
            "Waits for every handle in the list `hs` and returns their replies as a list of "
            "plain strings, in the order of `hs` (not the order of completion). `(await-all "
            "'())` is `'()`. Raises an error if an element is not a handle or a call failed."),
        example="(await-all (list h1 h2)) ; → '(\"first reply\" \"second reply\")",
    ),
    Entry(
        "await-all-syntax", PRIMITIVE,
        params=(Param("hs", HANDLES),),
        result=SYNTAXES,
        cost=AWAIT,
        protected=True,
        doc=(
            "Like `await-all`, but returns the replies as syntax objects, keeping LLM text "
            "wrapped until each element is unwrapped with `syntax-e`."),
        example="(map syntax-e (await-all-syntax (list h1 h2))) ; → '(\"a\" \"b\")",
    ),
    Entry(
        "await-any", PRIMITIVE,
        params=(Param("hs", HANDLES),),
        result=VALUES,
        cost=AWAIT,
        protected=True,
        doc=(
            "Waits until the first of the handles in `hs` finishes and returns two values: "
            "its reply as a string, and the list of the handles still pending. No finished "
            "call is lost: when several finish at once, the others stay in the remaining "
            "list and come back immediately on the next call. Raises an error on `'()`."),
        example="(define-values (first-reply pending) (await-any handles))",
    ),
    Entry(
        "map-async", PRIMITIVE,
        params=(Param("f", PROCEDURE), Param("items", LIST)),
        keywords=(_MAX_CONCURRENT_MAP,),
        result=STRINGS,
        cost=FAN_OUT,
        protected=True,
        fan_out=(FanOut(func=0, items=1, concurrent=True, needs_handle=True),),
        doc=(
            "Calls `f` on each element of `items` — `f` must return an async handle, "
            "normally from `llm-query-async` — keeping a rolling window of `#:max-concurrent` "
            "calls in flight (default 10; `#f` starts them all at once), and returns the "
            "replies as a list of strings in the order of `items`. Every result is kept, "
            "whatever order the calls finish in. Raises an error when `f` returns something "
            "other than a handle (a synchronous `llm-query` result, say) or when a call "
            "fails; wrap the body of `f` in `try` to keep going past failures."),
        example=(
            "(map-async (lambda (doc) (llm-query-async #:instruction \"Summarise.\" #:data doc"
            " #:max-tokens 200))\n"
            "           docs #:max-concurrent 5) ; → a list of summaries, in order"),
    ),
    Entry(
        "syntax-e", PRIMITIVE,
        params=(Param("s", TEXT),),
        result=STRING,
        protected=True,
        doc=(
            "Unwraps a syntax object — the value of `llm-query` or `await` — and returns the "
            "string inside; on a plain string it is the identity. Every unwrap is recorded "
            "in the run trace: this is the point where LLM text is deliberately let into "
            "string positions, such as `string-append`, `#:data` or `finish`."),
        example="(syntax-e (datum->syntax #f \"text\")) ; → \"text\"",
    ),
    Entry(
        "datum->syntax", PRIMITIVE,
        params=(Param("ctxt"), Param("v")),
        result=SYNTAX,
        protected=True,
        doc=(
            "Wraps `v` as a syntax object, the same kind of value that `llm-query` returns; "
            "the context argument is normally `#f`. The wrap is recorded in the run trace. "
            "Useful to mark text from elsewhere as untrusted, or to build test data."),
        example="(datum->syntax #f \"untrusted text\") ; → a syntax object",
    ),
    # ------------------------------------------------------------------------------------
    # §7 Primitives: the Python bridge
    # ------------------------------------------------------------------------------------
    Entry(
        "py-exec", PRIMITIVE,
        params=(Param("code", STRING),),
        result=STRING,
        cost=PYTHON,
        protected=True,
        doc=(
            "Runs the Python statements `code` in the recipe's Python process and returns "
            "what they printed to stdout, as a string. Globals persist from one call to the "
            "next, and the run's `context` is visible as the Python variable `context`. A "
            "Python exception becomes a recipe error carrying the traceback. Pass values in "
            "with `py-set!` rather than splicing them into `code` with `string-append`."),
        example="(py-exec \"import json\\nprint(len(json.loads(context)))\") ; → \"42\\n\"",
    ),
    Entry(
        "py-eval", PRIMITIVE,
        params=(Param("expr", STRING),),
        cost=PYTHON,
        protected=True,
        doc=(
            "Evaluates the single Python expression `expr` (not statements: use `py-exec` "
            "for those) and converts the result: str, int, float, bool and None map to "
            "string, exact integer, float, boolean and `void`; lists and tuples to lists; "
            "dicts to hash tables with symbol keys. Any other object comes back as a Python "
            "reference for `py-call`. A Python exception becomes a recipe error."),
        example="(hash-ref (py-eval \"{'total': 3}\") 'total) ; → 3",
    ),
    Entry(
        "py-set!", PRIMITIVE,
        params=(Param("name", NAME), Param("value")),
        result=VOID,
        cost=PYTHON,
        protected=True,
        doc=(
            "Binds the Python global `name` to `value` converted to Python (string to str, "
            "exact integer to int, list to list, hash to dict with string keys, `void` to "
            "None …), with no string escaping involved — the safe way to hand data to "
            "`py-exec` and `py-eval`. `name` must be a Python identifier. A syntax object is "
            "rejected: unwrap LLM text with `syntax-e` first."),
        example="(py-set! \"items\" '(3 1 2))\n(py-eval \"sorted(items)\") ; → '(1 2 3)",
    ),
    Entry(
        "py-call", PRIMITIVE,
        params=(Param("ref", PYREF), Param("method", STRING), Param("arg", rest=True)),
        cost=PYTHON,
        protected=True,
        doc=(
            "Calls the method named `method` of the Python object behind the reference "
            "`ref` (as returned by `py-eval` for an object it cannot convert) with the "
            "`arg`s converted to Python, and converts the result back as `py-eval` does. A "
            "Python exception becomes a recipe error."),
        example=(
            "(define counter (py-eval \"__import__('collections').Counter('abca')\"))\n"
            "(py-call counter \"most_common\" 1) ; → '((\"a\" 2))"),
    ),
    # ------------------------------------------------------------------------------------
    # §7 Primitives: ending the run
    # ------------------------------------------------------------------------------------
    Entry(
        "finish", PRIMITIVE,
        params=(Param("v"),),
        result=NEVER,
        cost=CONTROL,
        protected=True,
        doc=(
            "Ends the run at once with the result `v`, printed as `display` prints it "
            "(strings raw). Code after it does not run. A syntax object is rejected: unwrap "
            "LLM text with `syntax-e` first. A recipe that never calls `finish` ends with "
            "the value of its last form."),
        example="(finish (string-join summaries \"\\n\"))",
    ),
    Entry(
        "finish-var", PRIMITIVE,
        params=(Param("name", NAME),),
        result=NEVER,
        cost=CONTROL,
        protected=True,
        doc=(
            "Ends the run with the value of the Scheme variable whose name is the string "
            "`name`. Raises an error if no such variable is defined."),
        example="(define answer \"42\")\n(finish-var \"answer\") ; the run's result is 42",
    ),
    Entry(
        "finish-error", PRIMITIVE,
        params=(Param("msg", STRING),),
        result=NEVER,
        cost=CONTROL,
        protected=True,
        doc=(
            "Ends the run at once as failed, with the message `msg`; code after it does not "
            "run. Use `error` instead for a failure that a caller may catch with `try`."),
        example="(when (null? items) (finish-error \"no items in the input\"))",
    ),
    # ------------------------------------------------------------------------------------
    # §7 Primitives: state, accounting, escape hatches
    # ------------------------------------------------------------------------------------
    Entry(
        "checkpoint", PRIMITIVE,
        params=(Param("key", NAME), Param("value")),
        cost=STORE,
        protected=True,
        doc=(
            "Persists the JSON-able `value` (string, number, boolean, list, hash) under "
            "`key` for this recipe and returns `value`. The checkpoint survives crashes and "
            "restarts, so a later run can pick it up with `restore` instead of redoing "
            "paid work. Raises an error for a value that cannot be stored as JSON, such as "
            "a syntax object or a procedure."),
        example=(
            "(define summaries\n"
            "  (or (restore \"summaries\") (checkpoint \"summaries\" (map-async f docs))))"),
    ),
    Entry(
        "restore", PRIMITIVE,
        params=(Param("key", NAME),),
        cost=STORE,
        protected=True,
        doc=(
            "Returns the value stored under `key` by `checkpoint` for this recipe, or `#f` "
            "if there is none. Check for `#f` before use."),
        example="(restore \"summaries\") ; → the saved list, or #f on a first run",
    ),
    Entry(
        "tokens-used", PRIMITIVE,
        result=HASH,
        protected=True,
        doc=(
            "Returns a hash with symbol keys describing the run's spending so far: "
            "`'prompt-tokens`, `'completion-tokens`, `'total-tokens`, `'calls` and "
            "`'cost-usd`."),
        example="(hash-ref (tokens-used) 'calls) ; → 12",
    ),
    Entry(
        "rate-limits", PRIMITIVE,
        result=HASH,
        protected=True,
        doc=(
            "Returns a hash with symbol keys holding the latest rate-limit state reported "
            "by the provider (remaining requests and tokens, reset times), empty before the "
            "first call."),
        example="(rate-limits) ; → a hash of the provider's latest rate-limit figures",
    ),
    Entry(
        "heartbeat", PRIMITIVE,
        result=VOID,
        protected=True,
        doc=(
            "Signals that a long run is still alive to whatever supervises it, and returns "
            "`void`; a no-op where nothing watches. Fan-out primitives send heartbeats on "
            "their own."),
        example="(for ([c chunks]) (heartbeat) (process c))",
    ),
    Entry(
        "unsafe-interpolate", PRIMITIVE,
        params=(Param("s", TEXT),),
        result=STRING,
        protected=True,
        unsafe=True,
        doc=(
            "Unwraps a syntax object like `syntax-e`, but without recording the unwrap in "
            "the run trace. An escape hatch: disabled unless the run allows unsafe "
            "primitives, and flagged by the linter."),
        example="(unsafe-interpolate reply) ; → the reply text, untraced",
    ),
    Entry(
        "unsafe-overwrite", PRIMITIVE,
        params=(Param("name", SYMBOL), Param("v")),
        result=VOID,
        protected=True,
        unsafe=True,
        doc=(
            "Overwrites the variable `name` with `v`, even when `name` is protected "
            "(a primitive, a combinator or `context`). An escape hatch: disabled unless the "
            "run allows unsafe primitives, and flagged by the linter."),
        example="(unsafe-overwrite 'context \"replacement input\")",
    ),
    Entry(
        "unsafe-exec-sub-output", PRIMITIVE,
        params=(Param("s", TEXT),),
        protected=True,
        unsafe=True,
        doc=(
            "Reads the text `s` — typically recipe code written by a model — as a form and "
            "evaluates it in the current recipe, returning its value. An escape hatch: "
            "disabled unless the run allows unsafe primitives, and flagged by the linter, "
            "all the more without a validation step between the model and the call."),
        example="(unsafe-exec-sub-output \"(+ 1 2)\") ; → 3",
    ),
    Entry(
        "chunk", PRIMITIVE,
        params=(Param("lst", LIST), Param("n", INTEGER)),
        result=LIST,
        protected=True,
        doc=(
            "Splits `lst` into consecutive groups of `n` elements, the last group holding "
            "whatever remains, and returns the list of groups; `'()` gives `'()`. `n` must "
            "be a positive integer. Used to batch items before a fan-out: `(chunk xs n)` of "
            "a known list has a known size for the cost estimate."),
        example="(chunk '(1 2 3 4 5) 2) ; → '((1 2) (3 4) (5))",
    ),
    # ------------------------------------------------------------------------------------
    # §8 Combinators
    # ------------------------------------------------------------------------------------
    Entry(
        "parallel", COMBINATOR,
        params=(Param("thunks", LIST),),
        keywords=(
            Keyword("max-concurrent", INTEGER_OR_FALSE, None, "#f",
                    "How many thunks run at once: a positive integer, or #f for all of "
                    "them at once. Default #f.", minimum=1),
        ),
        result=LIST,
        cost=FAN_OUT,
        protected=True,
        fan_out=(FanOut(func=0, items=None, concurrent=True, window_default=None),),
        doc=(
            "Calls each thunk (procedure of no arguments) in the list `thunks` concurrently, "
            "at most `#:max-concurrent` at a time, and returns the list of their results in "
            "the order of `thunks`. The results are whatever the thunks return: a thunk that "
            "returns an async handle yields the handle, to be awaited with `await-all`. An "
            "error raised by a thunk is raised by `parallel`."),
        example=(
            "(parallel (list (lambda () (syntax-e (llm-query #:instruction \"Pros?\" #:data d)))\n"
            "                (lambda () (syntax-e (llm-query #:instruction \"Cons?\" #:data d)))))"
            " ; → '(\"…pros…\" \"…cons…\")"),
    ),
    Entry(
        "race", COMBINATOR,
        params=(Param("thunks", LIST),),
        result=STRING,
        cost=FAN_OUT,
        protected=True,
        fan_out=(FanOut(func=0, items=None, concurrent=True, window_keyword=None,
                        window_default=None, needs_handle=True),),
        doc=(
            "Calls every thunk in `thunks` — each must return an async handle, normally "
            "from `llm-query-async` — and returns the reply of the first call to finish, as "
            "a string. The calls still in flight are cancelled. Raises an error on `'()` or "
            "when a thunk returns something other than a handle."),
        example=(
            "(race (list (lambda () (llm-query-async #:instruction q #:model \"gpt-4.1-nano\"))\n"
            "            (lambda () (llm-query-async #:instruction q #:model \"gpt-4o-mini\"))))"
            " ; → the faster reply"),
    ),
    Entry(
        "sequence", COMBINATOR,
        params=(Param("f", PROCEDURE, rest=True),),
        result=PROCEDURE,
        protected=True,
        doc=(
            "Returns a procedure of one argument that applies the `f`s to it left to right, "
            "each to the result of the previous one: `((sequence f g) x)` is `(g (f x))`. "
            "With no `f`, the returned procedure is the identity."),
        example="((sequence add1 (lambda (x) (* x 2))) 5) ; → 12",
    ),
    Entry(
        "fold-sequential", COMBINATOR,
        params=(Param("f", PROCEDURE), Param("init"), Param("items", LIST)),
        cost=SEQUENTIAL,
        protected=True,
        fan_out=(FanOut(func=0, items=2, concurrent=False, window_keyword=None,
                        window_default=None),),
        doc=(
            "Calls `(f acc item)` for each element of `items` in order, one call after "
            "another, starting with `acc` = `init` and passing each result on as the next "
            "`acc`; returns the final accumulator (`init` for `'()`). Note the argument "
            "order, accumulator first, unlike `foldl`. For when each step needs the previous "
            "one, e.g. a summary that integrates one document at a time."),
        example=(
            "(fold-sequential (lambda (acc x) (string-append acc (number->string x)))"
            " \"\" '(1 2 3)) ; → \"123\""),
    ),
    Entry(
        "tree-reduce", COMBINATOR,
        params=(Param("f", PROCEDURE), Param("items", LIST)),
        keywords=(
            Keyword("branch-factor", INTEGER, 5, "5",
                    "The largest group passed to `f` in one call; an integer of at least 2. "
                    "Default 5.", minimum=2),
            Keyword("leaf-fn", PROCEDURE, None, "identity",
                    "Applied to each item before the first level. Default `identity`."),
        ),
        protected=True,
        doc=(
            "Reduces `items` hierarchically: applies `#:leaf-fn` to every item, then splits "
            "the list into consecutive groups of up to `#:branch-factor` elements and "
            "replaces each group by `(apply f group)`, level by level, until one value "
            "remains, which is returned. `f` therefore receives between 1 and "
            "`branch-factor` arguments. A single item is returned after `#:leaf-fn`. Raises "
            "an error on `'()`."),
        example=(
            "(tree-reduce (lambda parts (string-join parts \"+\")) '(\"a\" \"b\" \"c\" \"d\")"
            " #:branch-factor 2) ; → \"a+b+c+d\""),
    ),
    Entry(
        "fan-out-aggregate", COMBINATOR,
        params=(Param("map-f", PROCEDURE), Param("reduce-f", PROCEDURE), Param("items", LIST)),
        keywords=(_MAX_CONCURRENT_MAP,),
        cost=FAN_OUT,
        protected=True,
        fan_out=(FanOut(func=0, items=2, concurrent=True, needs_handle=True),),
        doc=(
            "Same as `(reduce-f (map-async map-f items #:max-concurrent n))`: calls `map-f` "
            "on every item — it must return an async handle — with a rolling window of "
            "`#:max-concurrent` calls in flight (default 10, `#f` for all at once), then "
            "passes the list of replies, as strings in input order, to `reduce-f` and "
            "returns its result."),
        example=(
            "(fan-out-aggregate\n"
            "  (lambda (doc) (llm-query-async #:instruction \"Key points?\" #:data doc"
            " #:max-tokens 300))\n"
            "  (lambda (notes) (string-join notes \"\\n\"))\n"
            "  docs)"),
    ),
    Entry(
        "recursive-spawn", COMBINATOR,
        params=(Param("strategy"),),
        keywords=(
            Keyword("depth", INTEGER, 1, "1",
                    "How many levels of nested recipes the delegate may spawn, 1 to 3. "
                    "Default 1.", minimum=1, maximum=3),
        ),
        result=PROCEDURE,
        protected=True,
        doc=(
            "Returns a procedure `(lambda (data) ...)` that delegates `data` to a recursive "
            "`llm-query`: the model, instructed by `strategy` (a string, or a thunk "
            "returning one), answers with a recipe that is run in its own sandbox, at most "
            "`#:depth` levels deep (the global limit is 3). The procedure returns the "
            "nested recipe's result."),
        example=(
            "(define analyse (recursive-spawn \"Split the data into parts and analyse each.\""
            " #:depth 2))\n(analyse context)"),
    ),
    Entry(
        "iterate-until", COMBINATOR,
        params=(Param("f", PROCEDURE), Param("pred", PROCEDURE), Param("init")),
        keywords=(
            Keyword("max-iter", INTEGER, 10, "10",
                    "The most times `f` is applied; a non-negative integer. Default 10.",
                    minimum=0),
        ),
        protected=True,
        doc=(
            "Starting from `v` = `init`, returns `v` as soon as `(pred v)` is true, and "
            "otherwise replaces `v` with `(f v)` and tries again; after `#:max-iter` "
            "applications of `f` it returns the current `v` whether or not `pred` holds."),
        example=(
            "(iterate-until (lambda (x) (* x 2)) (lambda (x) (> x 100)) 1) ; → 128"),
    ),
    Entry(
        "critique-refine", COMBINATOR,
        params=(Param("gen", PROCEDURE), Param("critique", PROCEDURE),
                Param("refine", PROCEDURE)),
        keywords=(
            Keyword("max-iter", INTEGER, 3, "3",
                    "The most critique-and-refine rounds; a non-negative integer. "
                    "Default 3.", minimum=0),
            Keyword("quality-threshold", FALSE_OR_NUMBER, None, "#f",
                    "When given, stop early once a critique says \"approved\". Default #f "
                    "(always run `max-iter` rounds)."),
        ),
        protected=True,
        doc=(
            "Draft, critique, refine: calls the thunk `gen` for a first draft, then up to "
            "`#:max-iter` times calls `(critique draft)` and `(refine draft critique)`, the "
            "refined text becoming the next draft; returns the last draft. With "
            "`#:quality-threshold`, the loop stops as soon as a critique contains "
            "\"approved\". The three procedures make the LLM calls; a cheap model for the "
            "critique is common."),
        example=(
            "(critique-refine (lambda () draft0) critique-fn refine-fn #:max-iter 2)"
            " ; → the draft after two rounds"),
    ),
    Entry(
        "with-validation", COMBINATOR,
        params=(Param("f", PROCEDURE), Param("validator", PROCEDURE)),
        result=PROCEDURE,
        protected=True,
        doc=(
            "Returns a procedure that calls `f` with its arguments and passes the result to "
            "`validator`; if the validator returns `#f` it raises the error \"validation "
            "failed\", otherwise it returns the result. Combine with `try` or "
            "`try-fallback` to recover."),
        example=(
            "((with-validation string->number number?) \"12\") ; → 12"),
    ),
    Entry(
        "vote", COMBINATOR,
        params=(Param("thunks", LIST),),
        keywords=(
            Keyword("method", SYMBOL, "majority", "'majority",
                    "'majority: more than half must agree; 'plurality: the most frequent "
                    "result wins, ties to the earliest; 'consensus: all must agree. "
                    "Default 'majority.",
                    choices=("majority", "plurality", "consensus")),
            _MAX_CONCURRENT_THUNKS,
        ),
        cost=FAN_OUT,
        protected=True,
        fan_out=(FanOut(func=0, items=None, concurrent=True, window_default=None),),
        doc=(
            "Calls the thunks concurrently, at most `#:max-concurrent` at a time, and returns "
            "the winning answer by `#:method`. Each result is taken as text — an async handle "
            "is awaited, a syntax object unwrapped, another value converted as `display` "
            "does — and answers are compared after trimming surrounding whitespace, so "
            "normalise case inside the thunks (e.g. with `string-downcase`); the winning "
            "answer is returned as the text of the first thunk that gave it. Raises an error "
            "on `'()`, when there is no majority (`'majority`) or the answers disagree "
            "(`'consensus`)."),
        example=(
            "(vote (list (lambda () \"yes\") (lambda () \"yes\") (lambda () \"no\")))"
            " ; → \"yes\""),
    ),
    Entry(
        "ensemble", COMBINATOR,
        params=(Param("thunks", LIST),),
        keywords=(
            Keyword("aggregator", PROCEDURE, None, "#f",
                    "A procedure given the list of results. Default #f: the results joined "
                    "as numbered text."),
            _MAX_CONCURRENT_THUNKS,
        ),
        cost=FAN_OUT,
        protected=True,
        fan_out=(FanOut(func=0, items=None, concurrent=True, window_default=None),),
        doc=(
            "Calls the thunks concurrently, at most `#:max-concurrent` at a time, takes each "
            "result as text (an async handle is awaited, a syntax object unwrapped) and "
            "combines the list of texts, in order, with `#:aggregator`; without one, returns "
            "them as numbered text — \"1. …\", \"2. …\" separated by blank lines — ready to "
            "hand to a synthesis call."),
        example=(
            "(ensemble (list (lambda () \"a\") (lambda () \"b\"))"
            " #:aggregator (lambda (rs) (string-join rs \",\"))) ; → \"a,b\""),
    ),
    Entry(
        "tiered", COMBINATOR,
        params=(Param("cheap-f", PROCEDURE), Param("expensive-f", PROCEDURE),
                Param("items", LIST)),
        cost=SEQUENTIAL,
        protected=True,
        fan_out=(FanOut(func=0, items=2, concurrent=False, window_keyword=None,
                        window_default=None, cheap_side=True),),
        doc=(
            "Same as `(expensive-f (map cheap-f items))`: calls `cheap-f` on each item, one "
            "after another, then calls `expensive-f` once on the list of results and returns "
            "its value. The cheap side is the bulk of the calls: give it a cheap model. For "
            "concurrent cheap calls use `fan-out-aggregate`."),
        example=(
            "(tiered (lambda (d) (string-upcase d)) (lambda (rs) (string-join rs \" \"))"
            " '(\"a\" \"b\")) ; → \"A B\""),
    ),
    Entry(
        "active-learning", COMBINATOR,
        params=(Param("cheap-f", PROCEDURE), Param("expensive-f", PROCEDURE),
                Param("uncertainty-f", PROCEDURE), Param("items", LIST)),
        keywords=(
            Keyword("threshold", NUMBER, 0.7, "0.7",
                    "Items whose cheap result scores below this are redone with "
                    "`expensive-f`; between 0 and 1. Default 0.7.",
                    minimum=0, maximum=1),
        ),
        result=LIST,
        cost=SEQUENTIAL,
        protected=True,
        fan_out=(
            FanOut(func=0, items=3, concurrent=False, window_keyword=None,
                   window_default=None, cheap_side=True),
            FanOut(func=1, items=3, concurrent=False, window_keyword=None,
                   window_default=None, cheap_side=False),
        ),
        doc=(
            "Calls `cheap-f` on every item, scores each result with `uncertainty-f` (a "
            "number from 0 to 1, higher meaning more confident), and redoes with "
            "`expensive-f` the items whose score is below `#:threshold`. Returns the list of "
            "results in item order: the cheap result where it was confident enough, the "
            "expensive one elsewhere."),
        example=(
            "(active-learning cheap-label careful-label confidence docs #:threshold 0.8)"
            " ; → one label per doc"),
    ),
    Entry(
        "memoized", COMBINATOR,
        params=(Param("f", PROCEDURE),),
        keywords=(
            Keyword("key-fn", PROCEDURE, None, "identity",
                    "Maps the list of arguments of a call to the cache key, compared with "
                    "`equal?`. Default `identity` (the arguments themselves)."),
        ),
        result=PROCEDURE,
        protected=True,
        doc=(
            "Returns a procedure that behaves like `f` but remembers its results: a call "
            "whose key (from `#:key-fn`, applied to the list of arguments) was seen before "
            "returns the cached result without calling `f` again. The cache lasts for the "
            "run."),
        example=(
            "(define summarise* (memoized summarise))\n"
            "(summarise* doc) (summarise* doc) ; the second call costs nothing"),
    ),
    Entry(
        "choose", COMBINATOR,
        params=(Param("pred", PROCEDURE), Param("then-f", PROCEDURE),
                Param("else-f", PROCEDURE)),
        result=PROCEDURE,
        protected=True,
        doc=(
            "Returns a procedure of one argument `x` that calls `(then-f x)` when "
            "`(pred x)` is true and `(else-f x)` otherwise."),
        example=(
            "((choose string? string-upcase number->string) 42) ; → \"42\""),
    ),
    Entry(
        "try-fallback", COMBINATOR,
        params=(Param("primary-f", PROCEDURE), Param("fallback-f", PROCEDURE)),
        result=PROCEDURE,
        protected=True,
        doc=(
            "Returns a procedure that calls `primary-f` with its arguments and, if that "
            "raises an error, calls `fallback-f` with the same arguments instead."),
        example=(
            "((try-fallback (lambda (s) (error 'parse \"bad\")) (lambda (s) 0)) \"x\") ; → 0"),
    ),
)
