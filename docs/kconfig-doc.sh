#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Write docs/kconfig.md from the Kconfig files: docs/kconfig-header.md,
# then every menu with its symbols, in menu order, each with its type,
# prompt, defaults (a board's, from board/<b>/Kconfig, with its
# condition), dependencies and help text. make kconfig-doc runs it; the
# build checks (test/build/build-checks.sh) fail when the file is stale.
#   kconfig-doc.sh [KCONFIG [HEADER]] > docs/kconfig.md
set -eu
kconfig=${1:-Kconfig}
header=${2:-docs/kconfig-header.md}

cat "$header"
awk -v top="$kconfig" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function md(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
function cond() {
	c = ""
	for (i = 1; i <= nif; i++)
		c = c (c == "" ? "" : " && ") ifs[i]
	return c
}
function endhelp() {
	if (inhelp && cur != "")
		help[cur] = help[cur]
	inhelp = 0
}
# A symbol is documented where it is declared (a type or a prompt);
# other entries only add defaults.
function entry(name, kind) {
	endhelp()
	cur = name
	if (!(name in seen)) {
		seen[name] = 1
		order[++nsym] = name
		kindof[name] = kind
		where[name] = ""
	}
	pending = 1
	if (kind == "choice") {
		choicename = name
		kindof[name] = "choice"
		declare(name)
	} else if (choicename != "") {
		member[choicename] = member[choicename] " " name
		inchoice[name] = choicename
	}
	entrycond = cond()
}
function declare(name) {
	if (where[name] != "")
		return
	where[name] = menu
	if (cond() != "")
		deps[name] = cond()
}
function parse(file,    line, w, rest, q) {
	while ((getline line < file) > 0) {
		if (inhelp) {
			if (line ~ /^[ \t]*$/) { help[cur] = help[cur] "\n"; continue }
			if (line ~ /^\t  / || line ~ /^\t\t/ || line ~ /^        /) {
				help[cur] = help[cur] trim(line) " "
				continue
			}
			endhelp()
		}
		if (line ~ /^[ \t]*(#|$)/)
			continue
		w = line; sub(/^[ \t]+/, "", w); rest = w
		sub(/[ \t].*/, "", w); sub(/^[^ \t]+[ \t]*/, "", rest)
		if (w == "mainmenu") continue
		if (w == "source") {
			q = rest; gsub(/"/, "", q)
			parse(q)
			continue
		}
		if (w == "menu") { endhelp(); cur = ""; gsub(/"/, "", rest); menu = rest; menus[++nmenu] = rest; continue }
		if (w == "endmenu") { endhelp(); cur = ""; continue }
		if (w == "if") { endhelp(); cur = ""; ifs[++nif] = rest; continue }
		if (w == "endif") { endhelp(); cur = ""; nif--; continue }
		if (w == "choice") { entry("choice" (++nchoice), "choice"); continue }
		if (w == "endchoice") { endhelp(); cur = ""; choicename = ""; continue }
		if (w == "config" || w == "menuconfig") { entry(rest, "config"); continue }
		if (cur == "")
			continue
		if (w == "help") { inhelp = 1; help[cur] = ""; continue }
		if (w ~ /^(bool|tristate|string|int|hex)$/) {
			type[cur] = w
			declare(cur)
			if (rest != "") prompt_of(rest)
			continue
		}
		if (w == "prompt") { declare(cur); prompt_of(rest); continue }
		if (w == "default") {
			c = entrycond
			if (rest ~ / if /) {
				c2 = rest; sub(/.* if /, "", c2); sub(/ if .*/, "", rest)
				c = c (c == "" ? "" : " && ") c2
			}
			if (c == deps[cur])
				c = ""
			defs[cur] = defs[cur] (defs[cur] == "" ? "" : "; ") "`" rest "`" (c != "" ? " if " c : "")
			continue
		}
		if (w == "depends") { sub(/^on[ \t]+/, "", rest); deps[cur] = (deps[cur] == "" ? "" : deps[cur] " && ") rest; continue }
		if (w == "range") { range[cur] = rest; continue }
		if (w == "select") { sel[cur] = (sel[cur] == "" ? "" : sel[cur] ", ") rest; continue }
	}
	endhelp()
	close(file)
}
function prompt_of(s,    p) {
	p = s
	if (p ~ /" if /) { askif[cur] = p; sub(/.*" if /, "", askif[cur]); sub(/" if .*/, "\"", p) }
	gsub(/^"|"$/, "", p)
	prompt[cur] = p
}
function para(s,    n, parts, i, out) {
	n = split(s, parts, "\n")
	out = ""
	for (i = 1; i <= n; i++) {
		parts[i] = trim(parts[i])
		if (parts[i] == "") { if (out != "" && out !~ /\n\n$/) out = out "\n\n"; continue }
		out = out parts[i] " "
	}
	gsub(/ \n/, "\n", out)
	sub(/[ \n]+$/, "", out)
	return out
}
function show(name, level,    t, m, n, i, members) {
	t = (kindof[name] == "choice") ? "choice" : type[name]
	printf "%s %s\n\n", level, (kindof[name] == "choice") ? prompt[name] : "`" name "`"
	line = "`" t "`"
	if (prompt[name] != "" && kindof[name] != "choice")
		line = line " \"" md(prompt[name]) "\""
	else if (kindof[name] != "choice")
		line = line ", not asked"
	line = line "."
	if (defs[name] != "") line = line " Default: " defs[name] "."
	if (range[name] != "") line = line " Range: " range[name] "."
	if (deps[name] != "") line = line " Depends on: " deps[name] "."
	if (askif[name] != "") line = line " Asked only if " askif[name] "."
	if (sel[name] != "") line = line " Selects: " sel[name] "."
	print line
	print ""
	if (help[name] != "") { print md(para(help[name])); print "" }
	if (kindof[name] == "choice") {
		n = split(member[name], members, " ")
		for (i = 1; i <= n; i++)
			show(members[i], level "#")
	}
}
BEGIN {
	parse(top)
	for (m = 1; m <= nmenu; m++) {
		printf "## %s\n\n", menus[m]
		for (s = 1; s <= nsym; s++) {
			name = order[s]
			if (where[name] != menus[m] || (name in inchoice))
				continue
			show(name, "###")
		}
	}
}' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
