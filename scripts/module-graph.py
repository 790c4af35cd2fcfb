#!/usr/bin/env python3
"""The import graph between the crate's top-level modules (src/<module>.rs and src/<module>/),
test code left out, and its cycles: prints one line per module, then `cycles: none` or the
modules that import each other round a circle, and exits 1 when there is a cycle.

    python3 scripts/module-graph.py
"""
import os
import re
import sys

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
def strip_tests(s):
    # drop #[cfg(test)] items: mod blocks and single items
    out=[];i=0
    while True:
        j=s.find('#[cfg(test)]',i)
        if j<0: out.append(s[i:]); break
        out.append(s[i:j])
        k=s.find('{',j); semi=s.find(';',j)
        if semi!=-1 and (k==-1 or semi<k): i=semi+1; continue
        depth=0;p=k
        while p<len(s):
            if s[p]=='{':depth+=1
            elif s[p]=='}':
                depth-=1
                if depth==0: break
            p+=1
        i=p+1
    return ''.join(out)
tops={}
for root,_,files in os.walk('src'):
    for f in files:
        if not f.endswith('.rs') or 'tests' in f.split('.')[0].split('_'): continue
        p=os.path.join(root,f); rel=p[4:-3]; top=rel.split('/')[0]
        if top in ('lib','main'): continue
        if rel.endswith('/tests') or rel.endswith('_tests') : continue
        s=strip_tests(open(p).read())
        uses=set(re.findall(r'crate::([a-z_]+)',s))
        for grp in re.findall(r'use crate::\{([^}]*)\}',s):
            uses.update(re.findall(r'\b([a-z_]+)\b',grp))
        tops.setdefault(top,set()).update(u for u in uses if u!=top)
mods=set(tops); g={m:sorted(u for u in tops[m] if u in mods) for m in sorted(mods)}
for m in g: print(f"{m:14} -> {', '.join(g[m])}")
index={};low={};st=[];on=set();sccs=[];c=[0]
sys.setrecursionlimit(10000)
def sc(v):
    index[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in g[v]:
        if w not in index: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],index[w])
    if low[v]==index[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        sccs.append(comp)
for v in g:
    if v not in index: sc(v)
cyc=[x for x in sccs if len(x)>1]
print("cycles:", cyc if cyc else "none")
sys.exit(1 if cyc else 0)
