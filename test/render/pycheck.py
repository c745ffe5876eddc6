"""Property check for a rendered contract: it parses, and every name it reads is defined at
module level, imported, or a builtin. Prints the missing names (one per line); exit 1 if any."""
import ast
import builtins
import symtable
import sys

source = open(sys.argv[1], encoding="utf-8").read()
ast.parse(source)
top = symtable.symtable(source, sys.argv[1], "exec")
defined = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}


def declared_globals(table):
    # `global x; x = ...` in a function defines the module-level x too.
    for symbol in table.get_symbols():
        if symbol.is_declared_global() and symbol.is_assigned():
            defined.add(symbol.get_name())
    for child in table.get_children():
        declared_globals(child)


declared_globals(top)
known = defined | set(dir(builtins))
missing = set()


def walk(table):
    for symbol in table.get_symbols():
        if not symbol.is_referenced():
            continue
        module_level = table.get_type() == "module" or symbol.is_global()
        if module_level and symbol.get_name() not in known:
            missing.add(symbol.get_name())
    for child in table.get_children():
        walk(child)


walk(top)
for name in sorted(missing):
    print(name)
sys.exit(1 if missing else 0)
