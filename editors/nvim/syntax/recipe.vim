" Vim syntax file for the recipe DSL (*.recipe), a small Racket-flavoured Scheme.
" The name lists between the GENERATED markers come from the catalogue
" (recipe.runtime.lang.catalog) via editors/vscode/scripts/gen_grammar.py.
if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
" symbols: letters, digits, _, Latin-1, and ! $ % & * + - . / : < = > ? ^ ~
syn iskeyword @,48-57,_,192-255,33,36-38,42,43,45-47,58,60-63,94,126

syn cluster recipeAtoms contains=recipeComment,recipeBlockComment,recipeDatumComment,recipeString,recipePyString,recipeNumber,recipeBoolean,recipeChar,recipeKeywordArg,recipeQuote,recipeSpecial,recipePrimitive,recipeCombinator,recipeBuiltin,recipeVariable,recipeList

syn region recipeList matchgroup=recipeParen start="(" end=")" contains=@recipeAtoms
syn region recipeList matchgroup=recipeParen start="\[" end="\]" contains=@recipeAtoms
syn region recipeList matchgroup=recipeParen start="{" end="}" contains=@recipeAtoms

" comments: ; line, #| nested block |#, #; datum
syn keyword recipeTodo contained TODO FIXME XXX NOTE
syn match recipeComment ";.*$" contains=recipeTodo,@Spell
syn region recipeBlockComment start="#|" end="|#" contains=recipeBlockComment,recipeTodo,@Spell
syn region recipeDatumCommentList start="(" end=")" contained contains=recipeDatumCommentList,recipeDatumCommentString
syn region recipeDatumCommentList start="\[" end="\]" contained contains=recipeDatumCommentList,recipeDatumCommentString
syn region recipeDatumCommentString start=+"+ skip=+\\\\\|\\"+ end=+"+ contained
syn region recipeDatumComment start="#;\s*\ze[(\[]" end="\%([)\]]\)\@<=" contains=recipeDatumCommentList keepend
syn match recipeDatumComment +#;\s*[^ \t()\[\]{}";]\++
syn match recipeDatumComment +#;\s*"\%([^"\\]\|\\.\)*"+

" strings (may span lines) with escapes
syn match recipeEscape contained +\\[nrt\\"]\|\\u\x\{1,4}+
syn region recipeString start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=recipeEscape,@Spell

" Python code inside (py-exec "...") and (py-eval "...")
if !exists('g:recipe_no_python_highlight')
  unlet! b:current_syntax
  syn include @recipePython syntax/python.vim
  unlet! b:current_syntax
  syn region recipePyString matchgroup=recipeString start=+\%(\<py-\%(exec\|eval\)\s\+\)\@<="+ skip=+\\\\\|\\"+ end=+"+ contains=@recipePython
endif

syn match recipeNumber "\%(^\|[[:space:]()\[\]{}'`,]\)\@<=[-+]\=\%(\d\+\%(\.\d*\)\=\|\.\d\+\)\%([eE][-+]\=\d\+\)\=\ze\%([[:space:]()\[\]{}";]\|$\)"
syn match recipeNumber "\%(^\|[[:space:]()\[\]{}'`,]\)\@<=[-+]\=\d\+/\d\+\ze\%([[:space:]()\[\]{}";]\|$\)"
syn match recipeNumber "\%(^\|[[:space:]()\[\]{}'`,]\)\@<=[-+]\%(inf\|nan\)\.[0f]\ze\%([[:space:]()\[\]{}";]\|$\)"
syn match recipeBoolean "#\%(true\|false\|t\|f\)\>"
syn match recipeChar "#\\\%(space\|newline\|tab\|nul\|null\|return\|x\x\+\|u\x\+\|.\)"
syn match recipeKeywordArg "#:[^ \t()\[\]{}\";'`,]\+"
syn match recipeQuote "['`]\|,@\="
syn match recipeLang "\%^#lang .*$"

" BEGIN GENERATED (gen_grammar.py)
syn keyword recipeSpecial => and begin case cond define define-values else for for*/list for/and for/first for/fold for/list for/or for/sum if lambda let let* let*-values let-values letrec on-error or parameterize quasiquote quote set! try unless unquote unquote-splicing when with-handlers λ
syn keyword recipePrimitive await await-all await-all-syntax await-any checkpoint chunk datum->syntax finish finish-error finish-var get-context heartbeat llm-query llm-query-async map-async py-call py-eval py-exec py-set! rate-limits restore syntax-e tokens-used unsafe-exec-sub-output unsafe-interpolate unsafe-overwrite unsafe-raw-query
syn keyword recipeCombinator active-learning choose critique-refine ensemble fan-out-aggregate fold-sequential iterate-until memoized parallel race recursive-spawn sequence tiered tree-reduce try-fallback vote with-validation
syn keyword recipeBuiltin * + - / < <= = > >= abs acos add-between add1 andmap append append* append-map apply argmax argmin arity-at-least-value arity-at-least? asin assf assoc assq assv atan boolean? build-list caar cadar caddar caddr cadr call-with-values car cdar cddar cdddr cddr cdr ceiling char->integer char-alphabetic? char-ci<=? char-ci<? char-ci=? char-ci>=? char-ci>? char-downcase char-lower-case? char-numeric? char-upcase char-upper-case? char-whitespace? char<=? char<? char=? char>=? char>? char? cons cons? cos count current-error-port current-inexact-milliseconds current-output-port current-seconds denominator displayln drop drop-right dropf empty? eprintf eq? equal? eqv? error even? exact exact->inexact exact-ceiling exact-floor exact-integer? exact-nonnegative-integer? exact-positive-integer? exact-round exact-truncate exact? exn-message exn:fail:contract:divide-by-zero? exn:fail:contract:variable? exn:fail:contract? exn:fail? exn? exp expt fifth filter filter-map filter-not findf first flatten flonum? floor flush-output foldl foldr for-each format fourth fprintf gcd get-output-string hash hash->list hash-clear! hash-copy hash-count hash-empty? hash-for-each hash-has-key? hash-keys hash-map hash-ref hash-ref! hash-remove hash-remove! hash-set hash-set! hash-update hash-update! hash-values hash? hasheq hasheqv identity in-hash in-hash-keys in-hash-values in-indexed in-list in-naturals in-range in-string in-vector index-of index-where inexact inexact->exact inexact? infinite? integer->char integer? keyword-apply keyword? last last-pair lcm length list list* list->string list->vector list-ref list-set list-tail list? log make-exn:fail make-hash make-hasheq make-hasheqv make-immutable-hash make-immutable-hasheq make-list make-string make-vector map max member memf memq memv min modulo nan? natural? negative? newline non-empty-string? not null? number->string number? numerator odd? open-output-string ormap pair? partition positive? print printf procedure-arity procedure? quotient quotient/remainder raise raise-argument-error random range rational? real->double-flonum real? remainder remove remove* remove-duplicates remq rest reverse round second sequence->list sequence? shuffle sin sixth sleep sort split-at sqrt string string->list string->number string->symbol string-append string-append* string-ci<? string-ci=? string-contains? string-copy string-downcase string-empty? string-join string-length string-prefix? string-ref string-replace string-split string-suffix? string-titlecase string-trim string-upcase string<=? string<? string=? string>=? string>? string? sub1 substring symbol->string symbol<? symbol=? symbol? syntax? take take-right takef tan third truncate values vector vector->list vector-copy vector-fill! vector-length vector-map vector-ref vector-set! vector? void void? write write-string writeln zero? ~a ~r ~s ~v
syn keyword recipeVariable context empty null token-budget
" END GENERATED

hi def link recipeComment Comment
hi def link recipeBlockComment Comment
hi def link recipeDatumComment Comment
hi def link recipeDatumCommentList Comment
hi def link recipeDatumCommentString Comment
hi def link recipeTodo Todo
hi def link recipeString String
hi def link recipeEscape SpecialChar
hi def link recipeNumber Number
hi def link recipeBoolean Boolean
hi def link recipeChar Character
hi def link recipeKeywordArg Identifier
hi def link recipeQuote Special
hi def link recipeLang PreProc
hi def link recipeParen Delimiter
hi def link recipeSpecial Statement
hi def link recipePrimitive Function
hi def link recipeCombinator Type
hi def link recipeBuiltin Function
hi def link recipeVariable Constant

let b:current_syntax = 'recipe'
let &cpo = s:cpo_save
unlet s:cpo_save
