import threading
import psycopg._preparing as P
orig_add, orig_clear, orig_validate = P.PrepareManager.maybe_add_to_cache, P.PrepareManager.clear, P.PrepareManager.validate
def add(self, query, prep, name):
    tag = "SHOULD-unval" if (prep is P.Prepare.SHOULD and self.key(query) in self._counts) else ("SHOULD-new" if prep is P.Prepare.SHOULD else ("YES" if prep is P.Prepare.YES else f"NO{self._counts.get(self.key(query))}"))
    print(f"[pm{id(self)%10000}] {tag} {name} {query.query[:40]!r}", flush=True)
    return orig_add(self, query, prep, name)
def clear(self):
    print(f"[pm{id(self)%10000}] CLEAR names={list(self._names.values())}", flush=True); import traceback; traceback.print_stack(limit=8)
    return orig_clear(self)
P.PrepareManager.maybe_add_to_cache, P.PrepareManager.clear = add, clear
