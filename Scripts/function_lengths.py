#!/usr/bin/env python3
"""Lists the longest functions (func, init, computed properties with a body) in Swift sources.

Usage: Scripts/function_lengths.py [--top N] [--over LINES] PATH…
A function's length is the number of lines from its declaration to its closing brace. Braces inside string
literals and comments are ignored (single-line strings; multi-line strings are skipped as a whole).
"""
import argparse, os, re, sys

DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|static|class|final|override|mutating|nonmutating|convenience|required|@discardableResult|@inlinable)\s+)*(func\s+[^\s(<]+|init[?!]?\s*[(<]|subscript\s*\(|(?:var|let)\s+\w+\s*:[^=]*\{\s*$)')

def strip(line, state):
    """Removes string literals and comments; state['multi'] tracks multi-line strings."""
    out, i, n = [], 0, len(line)
    while i < n:
        if state['multi']:
            j = line.find('"""', i)
            if j < 0: return ''.join(out)
            state['multi'] = False; i = j + 3; continue
        if line.startswith('"""', i): state['multi'] = True; i += 3; continue
        if line.startswith('//', i): break
        if line[i] == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == '\\' else 1
            i += 1; continue
        out.append(line[i]); i += 1
    return ''.join(out)

def functions(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    state = {'multi': False}
    code = [strip(l, state) for l in lines]
    result = []
    for start, line in enumerate(lines):
        m = DECL.match(code[start])
        if not m: continue
        depth, opened = 0, False
        for k in range(start, len(lines)):
            for ch in code[k]:
                if ch == '{': depth += 1; opened = True
                elif ch == '}': depth -= 1
            if opened and depth <= 0:
                name = m.group(1).strip().rstrip('(<').strip()
                result.append((k - start + 1, path, start + 1, name))
                break
            if not opened and k > start and code[k].strip().startswith(('func ', 'var ', 'let ', '}')):
                break  # a protocol requirement: no body
    return result

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--top', type=int, default=15)
    ap.add_argument('--over', type=int, default=0)
    ap.add_argument('paths', nargs='+')
    a = ap.parse_args()
    found = []
    for p in a.paths:
        for root, _, files in os.walk(p) if os.path.isdir(p) else [(os.path.dirname(p), [], [os.path.basename(p)])]:
            for f in files:
                if f.endswith('.swift'): found += functions(os.path.join(root, f))
    found.sort(reverse=True)
    shown = [f for f in found if f[0] > a.over] if a.over else found[:a.top]
    for length, path, line, name in shown:
        print(f'{length:4d}  {path}:{line}  {name}')
    return 0

if __name__ == '__main__':
    sys.exit(main())
