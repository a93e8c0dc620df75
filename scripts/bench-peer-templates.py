#!/usr/bin/env python3
"""Turns a tree rendered by folio into equivalent cookiecutter, copier and cargo-generate templates.

Usage: bench-peer-templates.py RENDERED_TREE OUT_DIR

The project name is the one variable: every text file mentioning it becomes a templated file in
each tool's syntax; every other file is copied verbatim (and excluded from rendering where the tool
would otherwise render it), so each peer does the same work folio does.
"""
import json
import os
import shutil
import sys

NAME = "todo-api"
SNAKE = "todo_api"


def files(root):
    for dirpath, _, names in os.walk(root):
        for name in names:
            full = os.path.join(dirpath, name)
            yield os.path.relpath(full, root)


def escape(text):
    """Makes literal template syntax (e.g. GitHub's ${{ github.ref }}) print as itself.

    `{{ '{{' }}` means the same in Jinja (cookiecutter, copier) and Liquid (cargo-generate).
    """
    out = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in ("{{", "{%", "{#"):
            out.append("{{ '%s' }}" % pair)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def main():
    tree, out = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    cc_root = os.path.join(out, "cookiecutter")
    cp_root = os.path.join(out, "copier")
    cg_root = os.path.join(out, "cargo-generate")
    cc_files = os.path.join(cc_root, "{{cookiecutter.name}}")
    os.makedirs(cc_files)
    os.makedirs(cp_root)
    os.makedirs(cg_root)
    verbatim = []
    for rel in files(tree):
        data = open(os.path.join(tree, rel), "rb").read()
        text = None
        try:
            text = data.decode()
        except UnicodeDecodeError:
            pass
        templated = text is not None and (NAME in text or SNAKE in text or SNAKE in rel)
        if not templated:
            verbatim.append(rel)
        for root, var_name, var_snake, suffix in (
            (cc_files, "{{cookiecutter.name}}", "{{cookiecutter.name|replace('-', '_')}}", ""),
            (cp_root, "{{name}}", "{{name|replace('-', '_')}}", ".jinja"),
            (cg_root, "{{project-name}}", "{{crate_name}}", ""),
        ):
            dest_rel = rel.replace(SNAKE, var_snake)
            dest = os.path.join(root, dest_rel + (suffix if templated else ""))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if templated:
                with open(dest, "w") as fh:
                    fh.write(escape(text).replace(NAME, var_name).replace(SNAKE, var_snake))
            else:
                with open(dest, "wb") as fh:
                    fh.write(data)
    with open(os.path.join(cc_root, "cookiecutter.json"), "w") as fh:
        json.dump({"name": NAME, "_copy_without_render": verbatim}, fh)
    with open(os.path.join(cp_root, "copier.yml"), "w") as fh:
        fh.write("_templates_suffix: .jinja\nname:\n  type: str\n  default: todo-api\n")
    with open(os.path.join(cg_root, "cargo-generate.toml"), "w") as fh:
        fh.write("[template]\nexclude = %s\n" % json.dumps(verbatim))


if __name__ == "__main__":
    main()
