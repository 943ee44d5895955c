const Xn = 2, ot = {}, m = /* @__PURE__ */ Symbol("uninitialized"), ct = !1;
var qt = Array.isArray, Vt = Array.prototype.indexOf, ge = Array.prototype.includes, Ht = Array.from, ht = Object.defineProperty, _e = Object.getOwnPropertyDescriptor, zt = Object.prototype, $t = Array.prototype, Gt = Object.getPrototypeOf, tt = Object.isExtensible;
const Kt = () => {
};
function Wt(e) {
  for (var t = 0; t < e.length; t++)
    e[t]();
}
function dt() {
  var e, t, n = new Promise((r, i) => {
    e = r, t = i;
  });
  return { promise: n, resolve: e, reject: t };
}
const k = 2, ye = 4, De = 8, _t = 1 << 24, N = 16, V = 32, G = 64, qe = 128, Ke = 256, P = 512, b = 1024, y = 2048, A = 4096, O = 8192, x = 16384, oe = 32768, Ae = 1 << 25, we = 65536, Re = 1 << 17, Xt = 1 << 18, ce = 1 << 19, Zt = 1 << 20, Oe = 1 << 21, fe = 1 << 22, $ = 1 << 23, Ie = /* @__PURE__ */ Symbol("$state"), vt = /* @__PURE__ */ Symbol("component"), Jt = /* @__PURE__ */ Symbol("attributes"), Qt = /* @__PURE__ */ Symbol("class"), en = /* @__PURE__ */ Symbol("style"), Ve = /* @__PURE__ */ Symbol("text"), be = new class extends Error {
  name = "StaleReactionError";
  message = "The reaction that called `getAbortSignal()` was re-run or destroyed";
}();
function tn() {
  console.warn("https://svelte.dev/e/derived_inert");
}
function nn() {
  console.warn("https://svelte.dev/e/svelte_boundary_reset_noop");
}
function pt(e) {
  return e === this.v;
}
function rn() {
  throw new Error("https://svelte.dev/e/async_derived_orphan");
}
function sn() {
  throw new Error("https://svelte.dev/e/effect_update_depth_exceeded");
}
function ln() {
  throw new Error("https://svelte.dev/e/state_descriptors_fixed");
}
function fn() {
  throw new Error("https://svelte.dev/e/state_prototype_fixed");
}
function un() {
  throw new Error("https://svelte.dev/e/state_unsafe_mutation");
}
function an() {
  throw new Error("https://svelte.dev/e/svelte_boundary_reset_onerror");
}
let on = !1, M = null;
function ue(e) {
  M = e;
}
function cn(e, t = !1, n) {
  M = {
    p: M,
    i: !1,
    c: null,
    e: null,
    s: e,
    x: null,
    r: (
      /** @type {Effect} */
      g
    ),
    l: null
  };
}
function hn(e) {
  var t = (
    /** @type {ComponentContext} */
    M
  ), n = t.e;
  if (n !== null) {
    t.e = null;
    for (var r of n)
      Cn(r);
  }
  return t.i = !0, M = t.p, gt(e);
}
function gt(e = {}) {
  return ht(e, vt, { value: !0 }), e;
}
function yt() {
  return !0;
}
let le = [];
function dn() {
  var e = le;
  le = [], Wt(e);
}
function Q(e) {
  if (le.length === 0) {
    var t = le;
    queueMicrotask(() => {
      t === le && dn();
    });
  }
  le.push(e);
}
const _n = -7169;
function w(e, t) {
  e.f = e.f & _n | t;
}
function We(e) {
  (e.f & P) !== 0 || e.deps === null ? w(e, b) : w(e, A);
}
function wt(e, t) {
  (e.f & y) !== 0 ? t.set(e, y) : (e.f & A) !== 0 && t.get(e) !== y && t.set(e, A), w(e, b);
}
function Pe(e) {
  var t = v, n = g;
  C(null), B(null);
  try {
    return e();
  } finally {
    C(t), B(n);
  }
}
function vn(e, t, n, r) {
  const i = gn;
  var s = e.filter((c) => !c.settled), f = t.map(i);
  if (n.length === 0 && s.length === 0) {
    r(f);
    return;
  }
  var l = (
    /** @type {Effect} */
    g
  ), u = pn(), a = s.length === 1 ? s[0].promise : s.length > 1 ? Promise.all(s.map((c) => c.promise)) : null;
  function h(c) {
    if ((l.f & x) === 0) {
      u();
      try {
        r([...f, ...c]);
      } catch (_) {
        j(_, l);
      }
      Ce();
    }
  }
  var o = mt();
  if (n.length === 0) {
    a.then(() => h([])).finally(o);
    return;
  }
  function d() {
    Promise.all(n.map((c) => /* @__PURE__ */ yn(c))).then(h).catch((c) => j(c, l)).finally(o);
  }
  a ? a.then(() => {
    if ((l.f & x) !== 0) {
      o();
      return;
    }
    u(), d(), Ce();
  }) : d();
}
function pn() {
  var e = (
    /** @type {Effect} */
    g
  ), t = v, n = M, r = (
    /** @type {Batch} */
    p
  );
  return function(s = !0) {
    B(e), C(t), ue(n), s && (e.f & x) === 0 && (r?.activate(), r?.apply());
  };
}
function Ce(e = !0) {
  B(null), C(null), ue(null), e && p?.deactivate();
}
function mt() {
  var e = (
    /** @type {Effect} */
    g
  ), t = e.b, n = (
    /** @type {Batch} */
    p
  ), r = !!t?.is_rendered();
  return t?.update_pending_count(1, n), n.increment(r, e), () => {
    t?.update_pending_count(-1, n), n.decrement(r, e);
  };
}
// @__NO_SIDE_EFFECTS__
function gn(e) {
  var t = k | y;
  return g !== null && (g.f |= ce), {
    ctx: M,
    deps: null,
    effects: null,
    equals: pt,
    f: t,
    fn: e,
    reactions: null,
    rv: 0,
    v: (
      /** @type {V} */
      m
    ),
    wv: 0,
    parent: g,
    ac: null
  };
}
const he = /* @__PURE__ */ Symbol("obsolete");
// @__NO_SIDE_EFFECTS__
function yn(e, t, n) {
  let r = (
    /** @type {Effect | null} */
    g
  );
  r === null && rn();
  var i = (
    /** @type {Promise<V>} */
    /** @type {unknown} */
    void 0
  ), s = Me(
    /** @type {V} */
    m
  ), f = !v, l = /* @__PURE__ */ new Set();
  return Fn(() => {
    var u = (
      /** @type {Effect} */
      g
    ), a = dt();
    i = a.promise;
    try {
      Promise.resolve(e()).then(a.resolve, (c) => {
        c !== be && a.reject(c);
      }).finally(Ce);
    } catch (c) {
      a.reject(c), Ce();
    }
    var h = (
      /** @type {Batch} */
      p
    );
    if (f) {
      if ((u.f & oe) !== 0)
        var o = mt();
      if (
        // boundary can be null if the async derived is inside an $effect.root not connected to the component render tree
        r.b?.is_rendered()
      )
        h.async_deriveds.get(u)?.reject(he);
      else
        for (const c of l.values())
          c.reject(he);
      l.add(a), h.async_deriveds.set(u, a);
    }
    const d = (c, _ = void 0) => {
      o?.(), l.delete(a), _ !== he && (h.activate(), _ ? (s.f |= $, Fe(s, _)) : ((s.f & $) !== 0 && (s.f ^= $), Fe(s, c)), h.deactivate());
    };
    a.promise.then(d, (c) => d(null, c || "unknown"));
  }), On(() => {
    for (const u of l)
      u.reject(he);
  }), new Promise((u) => {
    function a(h) {
      function o() {
        h === i ? u(s) : a(i);
      }
      h.then(o, o);
    }
    a(i);
  });
}
function wn(e) {
  var t = e.effects;
  if (t !== null) {
    e.effects = null;
    for (var n = 0; n < t.length; n += 1)
      L(
        /** @type {Effect} */
        t[n]
      );
  }
}
function Xe(e) {
  var t, n = g, r = e.parent;
  if (!re && r !== null && e.v !== m && // if it was never evaluated before, it's guaranteed to fail downstream, so we try to execute instead
  (r.f & (x | O)) !== 0)
    return tn(), e.v;
  B(r);
  try {
    wn(e), t = Yt(e);
  } finally {
    B(n);
  }
  return t;
}
function bt(e) {
  var t = Xe(e);
  if (!e.equals(t) && (e.wv = It(), (!p?.is_fork || e.deps === null) && (p !== null ? (p.capture(e, t, !0), He?.capture(e, t, !0)) : e.v = t, e.deps === null))) {
    w(e, b);
    return;
  }
  re || (F !== null ? (Qe() || p?.is_fork) && F.set(e, t) : We(e));
}
function mn(e) {
  if (e.effects !== null)
    for (const t of e.effects)
      (t.teardown || t.ac) && (t.teardown?.(), t.ac !== null && Pe(() => {
        t.ac.abort(be), t.ac = null;
      }), t.fn !== null && (t.teardown = Kt), me(t, 0), et(t));
}
function Et(e) {
  if (e.effects !== null)
    for (const t of e.effects)
      t.teardown && t.fn !== null && ae(t);
}
let Le = null, se = null, p = null, He = null, F = null, ze = null, Ye = !1, ve = null, Se = null;
var nt = 0;
let bn = 1;
class K {
  id = bn++;
  /** True as soon as `#process` was called */
  started = !1;
  linked = !0;
  /** @type {Batch | null} */
  prev = null;
  /** @type {Batch | null} */
  next = null;
  /** @type {Map<Effect, ReturnType<typeof deferred<any>>>} */
  async_deriveds = /* @__PURE__ */ new Map();
  /**
   * The current values of any signals that are updated in this batch.
   * Tuple format: [value, is_derived] (note: is_derived is false for deriveds, too, if they were overridden via assignment)
   * The keys of this map are identical to `this.previous`
   * @type {Map<Value, [any, boolean]>}
   */
  current = /* @__PURE__ */ new Map();
  /**
   * The values of any signals (sources and deriveds) that are updated in this batch _before_ those updates took place.
   * The keys of this map are identical to `this.current`
   * @type {Map<Value, any>}
   */
  previous = /* @__PURE__ */ new Map();
  /**
   * When the batch is committed (and the DOM is updated), we need to remove old branches
   * and append new ones by calling the functions added inside (if/each/key/etc) blocks
   * @type {Set<(batch: Batch) => void>}
   */
  #s = /* @__PURE__ */ new Set();
  /**
   * If a fork is discarded, we need to destroy any effects that are no longer needed
   * @type {Set<(batch: Batch) => void>}
   */
  #p = /* @__PURE__ */ new Set();
  /**
   * The number of async effects that are currently in flight
   */
  #l = 0;
  /**
   * Async effects that are currently in flight, _not_ inside a pending boundary
   * @type {Map<Effect, number>}
   */
  #f = /* @__PURE__ */ new Map();
  /**
   * A deferred that resolves when the batch is committed, used with `settled()`
   * TODO replace with Promise.withResolvers once supported widely enough
   * @type {{ promise: Promise<void>, resolve: (value?: any) => void, reject: (reason: unknown) => void } | null}
   */
  #t = null;
  /**
   * Effects that were scheduled in this batch but not yet 'resolved' into the
   * root effects that need to be flushed. Resolving — the upwards traversal that
   * marks the path to each effect on the shared effect tree (see #resolve) — is
   * deferred until the batch is processed, so that the markers are created and
   * consumed within a single traversal. Scheduling into other batches (which can
   * happen concurrently, e.g. while a batch is committed) can therefore never
   * observe (and be confused by) this batch's markers.
   * May contain duplicates — deduplication happens during resolving
   * @type {Effect[]}
   */
  #n = [];
  /**
   * Effects created while this batch was active.
   * @type {Effect[]}
   */
  #r = [];
  /**
   * Deferred effects (which run after async work has completed) and their status (DIRTY or MAYBE_DIRTY)
   * @type {Map<Effect, number>}
   */
  #e = /* @__PURE__ */ new Map();
  /**
   * A map of branches that still exist, but will be destroyed when this batch
   * is committed — we skip over these during `process`.
   * The value contains child effects that were dirty/maybe_dirty before being reset,
   * so they can be rescheduled if the branch survives.
   * @type {Map<Effect, { d: Effect[], m: Effect[] }>}
   */
  #i = /* @__PURE__ */ new Map();
  /**
   * Inverse of #skipped_branches which we need to tell prior batches to unskip them when committing
   * @type {Set<Effect>}
   */
  #h = /* @__PURE__ */ new Set();
  is_fork = !1;
  #u = !1;
  constructor() {
    se === null ? Le = se = this : (se.next = this, this.prev = se), se = this;
  }
  #d() {
    if (this.is_fork) return !0;
    for (const t of this.#f.keys())
      if (!this.#g(t))
        return !0;
    return !1;
  }
  /**
   * Whether `effect` is inside a branch that this batch skips
   * @param {Effect} effect
   */
  #g(t) {
    for (var n = (
      /** @type {Effect | null} */
      t
    ); n !== null; n = n.parent)
      if (this.#i.has(n)) return !0;
    return !1;
  }
  /**
   * Add an effect to the #skipped_branches map and reset its children
   * @param {Effect} effect
   */
  skip_effect(t) {
    this.#i.has(t) || this.#i.set(t, { d: [], m: [] }), this.#h.delete(t);
  }
  /**
   * Remove an effect from the #skipped_branches map and reschedule
   * any tracked dirty/maybe_dirty child effects
   * @param {Effect} effect
   * @param {(e: Effect) => void} callback
   */
  unskip_effect(t, n = (r) => this.schedule(r)) {
    var r = this.#i.get(t);
    if (r) {
      this.#i.delete(t);
      for (var i of r.d)
        w(i, y), n(i);
      for (i of r.m)
        w(i, A), n(i);
    }
    this.#h.add(t);
  }
  /**
   * Convert the effects that were scheduled in this batch into the root effects
   * that need to be traversed, marking the path to each effect (by clearing the
   * `CLEAN` flag on ancestor branches) so that the traversal can find them.
   * This happens right before traversal rather than at scheduling time, so that
   * the markers left on the (shared) effect tree are created and consumed within
   * a single traversal — scheduling into other batches can never observe them
   * @returns {Effect[]}
   */
  #a() {
    var t = [];
    for (const s of this.#n)
      if (!((s.f & x) !== 0 || (s.f & (y | A)) === 0)) {
        for (var n = s, r = !1; n.parent !== null; ) {
          n = n.parent;
          var i = n.f;
          if ((i & (G | V)) !== 0) {
            if ((i & b) === 0) {
              r = !0;
              break;
            }
            n.f ^= b;
          }
        }
        r || t.push(n);
      }
    return this.#n = [], t;
  }
  #_() {
    this.started = !0;
    for (const [l, u] of this.#e)
      w(l, u), this.schedule(l);
    this.apply();
    for (var t = ve = [], n = [], r = Se = []; this.#n.length > 0; ) {
      nt++ > 1e3 && (this.#c(), En());
      for (const l of this.#a())
        try {
          this.#w(l, t, n);
        } catch (u) {
          throw St(l), this.#d() || this.discard(), u;
        }
    }
    if (p = null, r.length > 0) {
      var i = K.ensure();
      for (const l of r)
        i.schedule(l);
    }
    if (ve = null, Se = null, this.#d()) {
      this.#v(n), this.#v(t);
      for (const [l, u] of this.#i)
        xt(l, u);
      r.length > 0 && /** @type {unknown} */
      p.#_();
      return;
    }
    const s = this.#E();
    if (s) {
      this.#v(n), this.#v(t), s.#o(this);
      return;
    }
    this.#e.clear();
    for (const l of this.#s) l(this);
    this.#s.clear(), He = this, rt(n), rt(t), He = null, this.#t?.resolve();
    var f = (
      /** @type {Batch | null} */
      /** @type {unknown} */
      p
    );
    this.#l === 0 && (this.#n.length === 0 || f !== null) && this.#c(), f !== null && (I.clear(), f.#_());
  }
  /**
   * Traverse the effect tree, executing effects or stashing
   * them for later execution as appropriate
   * @param {Effect} root
   * @param {Effect[]} effects
   * @param {Effect[]} render_effects
   */
  #w(t, n, r) {
    t.f ^= b;
    for (var i = t.first; i !== null; ) {
      var s = i.f, f = (s & (V | G)) !== 0, l = f && (s & b) !== 0, u = l || (s & O) !== 0 || this.#i.has(i);
      if (!u && i.fn !== null) {
        f ? i.f ^= b : (s & ye) !== 0 ? n.push(i) : Ee(i) && ((s & N) !== 0 && this.add_dirty_reaction(i, A), ae(i));
        var a = i.first;
        if (a !== null) {
          i = a;
          continue;
        }
      }
      for (; i !== null; ) {
        var h = i.next;
        if (h !== null) {
          i = h;
          break;
        }
        i = i.parent;
      }
    }
  }
  #E() {
    for (var t = this.prev; t !== null; t = t.prev)
      if (!t.is_fork && this.#y(t)) return t;
    return null;
  }
  /** @param {Batch} batch */
  #y(t) {
    for (const [n, [, r]] of this.current)
      if (!r && t.current.has(n))
        return !0;
    return !1;
  }
  /**
   * @param {Batch} batch
   */
  #o(t) {
    for (const [r, i] of t.current)
      !this.previous.has(r) && t.previous.has(r) && this.previous.set(r, t.previous.get(r)), this.current.set(r, i);
    for (const [r, i] of t.async_deriveds) {
      const s = this.async_deriveds.get(r);
      s && i.promise.then(s.resolve).catch(s.reject);
    }
    t.async_deriveds.clear(), this.transfer_reactions(t.#e);
    const n = (r) => {
      var i = r.reactions;
      if (i !== null && !((r.f & k) !== 0 && (r.f & (y | A)) === 0))
        for (const l of i) {
          var s = l.f;
          if ((s & k) !== 0)
            n(
              /** @type {Derived} */
              l
            );
          else {
            var f = (
              /** @type {Effect} */
              l
            );
            s & (fe | N) && !this.async_deriveds.has(f) && (this.#e.delete(f), w(f, y), this.schedule(f));
          }
        }
    };
    for (const r of this.current.keys())
      n(r);
    this.oncommit(() => t.discard()), t.#c(), p = this, this.#_();
  }
  /**
   * @param {Effect[]} effects
   */
  #v(t) {
    for (var n = 0; n < t.length; n += 1)
      wt(t[n], this.#e);
  }
  /**
   * Associate a change to a given source with the current
   * batch, noting its previous and current values
   * @param {Value} source
   * @param {any} value
   * @param {boolean} [is_derived]
   */
  capture(t, n, r = !1) {
    t.v !== m && !this.previous.has(t) && this.previous.set(t, t.v), (t.f & $) === 0 && (this.current.set(t, [n, r]), F?.set(t, n)), this.is_fork || (t.v = n);
  }
  activate() {
    p = this;
  }
  deactivate() {
    p = null, F = null;
  }
  flush() {
    try {
      Ye = !0, p = this, this.#_();
    } finally {
      nt = 0, ze = null, ve = null, Se = null, Ye = !1, p = null, F = null, I.clear();
    }
  }
  discard() {
    for (const t of this.#p) t(this);
    this.#p.clear();
    for (const t of this.async_deriveds.values())
      t.reject(he);
    this.#c(), this.#t?.resolve();
  }
  /**
   * @param {Effect} effect
   */
  register_created_effect(t) {
    this.#r.push(t);
  }
  #m() {
    for (let o = Le; o !== null; o = o.next) {
      var t = o.id < this.id, n = [];
      for (const [d, [c, _]] of this.current) {
        if (o.current.has(d)) {
          var r = (
            /** @type {[any, boolean]} */
            o.current.get(d)[0]
          );
          if (t && c !== r)
            o.current.set(d, [c, _]);
          else
            continue;
        }
        n.push(d);
      }
      if (t)
        for (const [d, c] of this.async_deriveds) {
          const _ = o.async_deriveds.get(d);
          _ && c.promise.then(_.resolve).catch(_.reject);
        }
      var i = [...o.current.keys()].filter(
        (d) => !/** @type {[any, boolean]} */
        o.current.get(d)[1]
      );
      if (!(!o.started || i.length === 0)) {
        var s = i.filter((d) => !this.current.has(d));
        if (s.length === 0)
          t && o.discard();
        else if (n.length > 0) {
          if (t)
            for (const d of this.#h)
              o.unskip_effect(d, (c) => {
                (c.f & (N | fe)) !== 0 ? o.schedule(c) : o.#v([c]);
              });
          o.activate();
          var f = /* @__PURE__ */ new Set(), l = /* @__PURE__ */ new Map();
          for (var u of n)
            kt(u, s, f, l);
          l = /* @__PURE__ */ new Map();
          var a = [...o.current].filter(([d, c]) => {
            const _ = this.current.get(d);
            return _ ? _[0] !== c[0] || _[1] !== c[1] : !0;
          }).map(([d]) => d);
          if (a.length > 0)
            for (const d of this.#r)
              (d.f & (x | O | Re)) === 0 && Ze(d, a, l) && ((d.f & (fe | N)) !== 0 ? (w(d, y), o.schedule(d)) : o.add_dirty_reaction(d, y));
          if (o.#n.length > 0 && !o.#u) {
            o.apply();
            for (var h of o.#a())
              o.#w(h, [], []);
          }
          o.deactivate();
        }
      }
    }
  }
  /**
   * @param {boolean} blocking
   * @param {Effect} effect
   */
  increment(t, n) {
    if (this.#l += 1, t) {
      let r = this.#f.get(n) ?? 0;
      this.#f.set(n, r + 1);
    }
  }
  /**
   * @param {boolean} blocking
   * @param {Effect} effect
   */
  decrement(t, n) {
    if (this.#l -= 1, t) {
      let r = this.#f.get(n) ?? 0;
      r === 1 ? this.#f.delete(n) : this.#f.set(n, r - 1);
    }
    this.#u || (this.#u = !0, Q(() => {
      this.#u = !1, this.linked && this.flush();
    }));
  }
  /**
   * @param {Map<Effect, number>} dirty_reactions
   */
  transfer_reactions(t) {
    for (const [n, r] of t)
      this.add_dirty_reaction(n, r);
    t.clear();
  }
  /**
   * @param {Effect} effect
   * @param {number} status
   */
  add_dirty_reaction(t, n) {
    (n === y || this.#e.get(t) !== y) && this.#e.set(t, n);
  }
  /** @param {(batch: Batch) => void} fn */
  oncommit(t) {
    this.#s.add(t);
  }
  /** @param {(batch: Batch) => void} fn */
  ondiscard(t) {
    this.#p.add(t);
  }
  settled() {
    return (this.#t ??= dt()).promise;
  }
  static ensure() {
    if (p === null) {
      const t = p = new K();
      Ye || Q(() => {
        t.started || t.flush();
      });
    }
    return p;
  }
  apply() {
    {
      F = null;
      return;
    }
  }
  /**
   *
   * @param {Effect} effect
   */
  schedule(t) {
    if (ze = t, t.b?.is_pending && (t.f & (ye | De | _t)) !== 0 && (t.f & oe) === 0) {
      t.b.defer_effect(t);
      return;
    }
    this.#n.push(t);
  }
  #c() {
    if (this.linked) {
      var t = this.prev, n = this.next;
      t === null ? Le = n : t.next = n, n === null ? se = t : n.prev = t, this.linked = !1;
    }
  }
}
function En() {
  try {
    sn();
  } catch (e) {
    j(e, ze);
  }
}
let q = null;
function rt(e) {
  var t = e.length;
  if (t !== 0) {
    for (var n = 0; n < t; ) {
      var r = e[n++];
      if ((r.f & (x | O)) === 0 && Ee(r) && (q = /* @__PURE__ */ new Set(), ae(r), r.deps === null && r.first === null && r.nodes === null && r.teardown === null && r.ac === null && Dt(r), q?.size > 0)) {
        I.clear();
        for (const i of q) {
          if ((i.f & (x | O)) !== 0) continue;
          const s = [i];
          let f = i.parent;
          for (; f !== null; )
            q.has(f) && (q.delete(f), s.push(f)), f = f.parent;
          for (let l = s.length - 1; l >= 0; l--) {
            const u = s[l];
            (u.f & (x | O)) === 0 && ae(u);
          }
        }
        q.clear();
      }
    }
    q = null;
  }
}
function kt(e, t, n, r) {
  if (!n.has(e) && (n.add(e), e.reactions !== null))
    for (const i of e.reactions) {
      const s = i.f;
      (s & k) !== 0 ? kt(
        /** @type {Derived} */
        i,
        t,
        n,
        r
      ) : (s & (fe | N)) !== 0 && (s & y) === 0 && Ze(i, t, r) && (w(i, y), Je(
        /** @type {Effect} */
        i
      ));
    }
}
function Ze(e, t, n) {
  const r = n.get(e);
  if (r !== void 0) return r;
  if (e.deps !== null)
    for (const i of e.deps) {
      if (ge.call(t, i))
        return !0;
      if ((i.f & k) !== 0 && Ze(
        /** @type {Derived} */
        i,
        t,
        n
      ))
        return n.set(
          /** @type {Derived} */
          i,
          !0
        ), !0;
    }
  return n.set(e, !1), !1;
}
function Je(e) {
  p.schedule(e);
}
function xt(e, t) {
  if (!((e.f & V) !== 0 && (e.f & b) !== 0)) {
    (e.f & y) !== 0 ? t.d.push(e) : (e.f & A) !== 0 && t.m.push(e), w(e, b);
    for (var n = e.first; n !== null; )
      xt(n, t), n = n.next;
  }
}
function St(e) {
  w(e, b);
  for (var t = e.first; t !== null; )
    St(t), t = t.next;
}
let Ne = /* @__PURE__ */ new Set();
const I = /* @__PURE__ */ new Map();
let Tt = !1;
function Me(e, t) {
  var n = {
    f: 0,
    v: e,
    reactions: null,
    equals: pt,
    rv: 0,
    wv: 0
  };
  return n;
}
// @__NO_SIDE_EFFECTS__
function z(e, t) {
  const n = Me(e);
  return Ln(n), n;
}
function Z(e, t, n = !1) {
  v !== null && // since we are untracking the function inside `$inspect.with` we need to add this check
  // to ensure we error if state is set inside an inspect effect
  (!D || (v.f & Re) !== 0) && yt() && (v.f & (k | N | fe | Re)) !== 0 && (Y === null || !Y.has(e)) && un();
  let r = n ? de(t) : t;
  return Fe(e, r, Se);
}
var J = null, $e = 0;
function Fe(e, t, n = null) {
  if (!e.equals(t)) {
    re ? I.set(e, t) : I.has(e) || I.set(e, e.v);
    var r = K.ensure();
    if (r.capture(e, t), (e.f & k) !== 0) {
      const i = (
        /** @type {Derived} */
        e
      );
      (e.f & y) !== 0 && Xe(i), F === null && We(i);
    }
    e.wv = It(), J = null, $e = 0, At(e, y, n), J = null, g !== null && (g.f & b) !== 0 && (g.f & (V | G)) === 0 && (R === null ? Yn([e]) : R.push(e)), !r.is_fork && Ne.size > 0 && !Tt && kn();
  }
  return t;
}
function kn() {
  Tt = !1;
  for (const e of Ne) {
    (e.f & b) !== 0 && w(e, A);
    let t;
    try {
      t = Ee(e);
    } catch {
      t = !0;
    }
    t && ae(e);
  }
  Ne.clear();
}
function pe(e) {
  Z(e, e.v + 1);
}
function At(e, t, n) {
  var r = e.reactions;
  if (r !== null) {
    var i = r.length;
    if ($e += i, $e > 1e5 && J === null && (J = /* @__PURE__ */ new Set()), J !== null) {
      if (J.has(e)) return;
      J.add(e);
    }
    for (var s = 0; s < i; s++) {
      var f = r[s], l = f.f, u = (l & y) === 0;
      if (u && w(f, t), (l & Re) !== 0)
        Ne.add(
          /** @type {Effect} */
          f
        );
      else if ((l & k) !== 0) {
        var a = (
          /** @type {Derived} */
          f
        );
        F?.delete(a), At(a, A, n);
      } else if (u) {
        var h = (
          /** @type {Effect} */
          f
        );
        (l & N) !== 0 && q !== null && q.add(h), n !== null ? n.push(h) : Je(h);
      }
    }
  }
}
function de(e) {
  if (typeof e != "object" || e === null || Ie in e || vt in e)
    return e;
  const t = Gt(e);
  if (t !== zt && t !== $t)
    return e;
  var n = /* @__PURE__ */ new Map(), r = qt(e), i = /* @__PURE__ */ z(0), s = ne, f = (l) => {
    if (ne === s)
      return l();
    var u = v, a = ne;
    C(null), lt(s);
    var h = l();
    return C(u), lt(a), h;
  };
  return r && n.set("length", /* @__PURE__ */ z(
    /** @type {any[]} */
    e.length
  )), new Proxy(
    /** @type {any} */
    e,
    {
      defineProperty(l, u, a) {
        (!("value" in a) || a.configurable === !1 || a.enumerable === !1 || a.writable === !1) && ln();
        var h = n.get(u);
        return h === void 0 ? f(() => {
          var o = /* @__PURE__ */ z(a.value);
          return n.set(u, o), o;
        }) : Z(h, a.value, !0), !0;
      },
      deleteProperty(l, u) {
        var a = n.get(u);
        if (a === void 0) {
          if (u in l) {
            const h = f(() => /* @__PURE__ */ z(m));
            n.set(u, h), pe(i);
          }
        } else
          Z(a, m), pe(i);
        return !0;
      },
      get(l, u, a) {
        if (u === Ie)
          return e;
        var h = n.get(u), o = u in l;
        if (h === void 0 && (!o || _e(l, u)?.writable) && (h = f(() => {
          var c = de(o ? l[u] : m), _ = /* @__PURE__ */ z(c);
          return _;
        }), n.set(u, h)), h !== void 0) {
          var d = te(h);
          return d === m ? void 0 : d;
        }
        return Reflect.get(l, u, a);
      },
      getOwnPropertyDescriptor(l, u) {
        this.has?.(l, u);
        var a = Reflect.getOwnPropertyDescriptor(l, u), h = n.get(u);
        if (h !== void 0) {
          var o = te(h);
          if (o === m)
            return;
          if (a && "value" in a)
            a.value = o;
          else
            return {
              enumerable: !0,
              configurable: !0,
              value: o,
              writable: !0
            };
        }
        return a;
      },
      has(l, u) {
        if (u === Ie)
          return !0;
        var a = n.get(u), h = a !== void 0 && a.v !== m || Reflect.has(l, u);
        if (a !== void 0 || (g !== null || v !== null) && (!h || _e(l, u)?.writable)) {
          a === void 0 && (a = f(() => {
            var d = h ? de(l[u]) : m, c = /* @__PURE__ */ z(d);
            return c;
          }), n.set(u, a));
          var o = te(a);
          if (o === m)
            return !1;
        }
        return h;
      },
      set(l, u, a, h) {
        var o = n.get(u), d = u in l;
        if (r && u === "length")
          for (var c = a; c < /** @type {Source<number>} */
          o.v; c += 1) {
            var _ = n.get(c + "");
            _ !== void 0 ? Z(_, m) : c in l && (_ = f(() => /* @__PURE__ */ z(m)), n.set(c + "", _));
          }
        if (o === void 0)
          (!d || _e(l, u)?.writable) && (o = f(() => /* @__PURE__ */ z(void 0)), Z(o, de(a)), n.set(u, o));
        else {
          d = o.v !== m;
          var E = f(() => de(a));
          Z(o, E);
        }
        var H = Reflect.getOwnPropertyDescriptor(l, u);
        if (H?.set && H.set.call(h, a), !d) {
          if (r && typeof u == "string") {
            var U = (
              /** @type {Source<number>} */
              n.get("length")
            ), ie = Number(u);
            Number.isInteger(ie) && ie >= U.v && Z(U, ie + 1);
          }
          pe(i);
        }
        return !0;
      },
      ownKeys(l) {
        te(i);
        var u = Reflect.ownKeys(l).filter((o) => {
          var d = n.get(o);
          return d === void 0 || d.v !== m;
        });
        for (var [a, h] of n)
          h.v !== m && !(a in l) && u.push(a);
        return u;
      },
      setPrototypeOf() {
        fn();
      }
    }
  );
}
var it, xn, Rt, Ot;
function Sn() {
  if (it === void 0) {
    it = window, xn = /Firefox/.test(navigator.userAgent);
    var e = Element.prototype, t = Node.prototype, n = Text.prototype;
    Rt = _e(t, "firstChild").get, Ot = _e(t, "nextSibling").get, tt(e) && (e[Qt] = void 0, e[Jt] = null, e[en] = void 0, e.__e = void 0), tt(n) && (n[Ve] = void 0);
  }
}
function Ct(e = "") {
  return document.createTextNode(e);
}
// @__NO_SIDE_EFFECTS__
function Tn(e) {
  return (
    /** @type {TemplateNode | null} */
    Rt.call(e)
  );
}
// @__NO_SIDE_EFFECTS__
function Nt(e) {
  return (
    /** @type {TemplateNode | null} */
    Ot.call(e)
  );
}
function Jn(e, t) {
  return /* @__PURE__ */ Tn(e);
}
function Qn() {
  return !1;
}
function er(e, t, n) {
  return (
    /** @type {T extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[T] : Element} */
    n ? document.createElement(e, { is: n }) : document.createElement(e)
  );
}
function An(e) {
  var t = g;
  if (t === null)
    return v.f |= $, e;
  if ((t.f & oe) === 0 && (t.f & ye) === 0)
    throw e;
  j(e, t);
}
function j(e, t) {
  if (e === ot)
    throw e;
  if (!(t !== null && (t.f & x) !== 0)) {
    for (; t !== null; ) {
      if ((t.f & qe) !== 0 && (t.f & (x | Ae)) === 0) {
        if ((t.f & oe) === 0)
          throw e;
        try {
          t.b.error(e);
          return;
        } catch (n) {
          e = n;
        }
      }
      t = t.parent;
    }
    throw e;
  }
}
function Rn(e, t) {
  var n = t.last;
  n === null ? t.last = t.first = e : (n.next = e, e.prev = n, t.last = e);
}
function W(e, t) {
  var n = g;
  n !== null && (n.f & O) !== 0 && (e |= O);
  var r = {
    ctx: M,
    deps: null,
    nodes: null,
    f: e | y | P,
    first: null,
    fn: t,
    last: null,
    next: null,
    parent: n,
    b: n && n.b,
    prev: null,
    teardown: null,
    wv: 0,
    ac: null
  };
  p?.register_created_effect(r);
  var i = r;
  if ((e & ye) !== 0)
    ve !== null ? ve.push(r) : K.ensure().schedule(r);
  else if (t !== null) {
    try {
      ae(r);
    } catch (f) {
      throw L(r), f;
    }
    i.deps === null && i.teardown === null && i.nodes === null && i.first === i.last && // either `null`, or a singular child
    (i.f & ce) === 0 && (i = i.first, (e & N) !== 0 && (e & we) !== 0 && i !== null && (i.f |= we));
  }
  if (i !== null && (i.parent = n, n !== null && Rn(i, n), v !== null && (v.f & k) !== 0 && (e & G) === 0)) {
    var s = (
      /** @type {Derived} */
      v
    );
    (s.effects ??= []).push(i);
  }
  return r;
}
function Qe() {
  return v !== null && !D;
}
function On(e) {
  const t = W(De, null);
  return w(t, b), t.teardown = e, t;
}
function Cn(e) {
  return W(ye | Zt, e);
}
function Nn(e) {
  K.ensure();
  const t = W(G | ce, e);
  return (n = {}) => new Promise((r) => {
    n.outro ? Te(t, () => {
      L(t), r(void 0);
    }) : (L(t), r(void 0));
  });
}
function Fn(e) {
  return W(fe | ce, e);
}
function Dn(e, t = 0) {
  return W(De | t, e);
}
function tr(e, t = [], n = [], r = []) {
  vn(r, t, n, (i) => {
    W(De, () => {
      e(...i.map(te));
    });
  });
}
function Pn(e, t = 0) {
  var n = W(N | t, e);
  return n;
}
function X(e) {
  return W(V | ce, e);
}
function Ft(e) {
  var t = e.teardown;
  if (t !== null) {
    const n = re, r = v;
    st(!0), C(null);
    try {
      t.call(null);
    } catch (i) {
      j(i, e.parent);
    } finally {
      st(n), C(r);
    }
  }
}
function et(e, t = !1) {
  var n = e.first;
  for (e.first = e.last = null; n !== null; ) {
    const i = n.ac;
    i !== null && Pe(() => {
      i.abort(be);
    });
    var r = n.next;
    (n.f & G) !== 0 ? n.parent = null : L(n, t), n = r;
  }
}
function Mn(e) {
  for (var t = e.first; t !== null; ) {
    var n = t.next;
    (t.f & V) === 0 && L(t), t = n;
  }
}
function L(e, t = !0) {
  var n = !1;
  (t || (e.f & Xt) !== 0) && e.nodes !== null && e.nodes.end !== null && (jn(
    e.nodes.start,
    /** @type {TemplateNode} */
    e.nodes.end
  ), n = !0), e.f |= Ae, et(e, t && !n), me(e, 0);
  var r = e.nodes && e.nodes.t;
  if (r !== null)
    for (const s of r)
      s.stop();
  Ft(e), e.f ^= Ae, e.f |= x;
  var i = e.parent;
  i !== null && i.first !== null && Dt(e), e.next = e.prev = e.teardown = e.ctx = e.deps = e.fn = e.nodes = e.ac = e.b = null;
}
function jn(e, t) {
  for (; e !== null; ) {
    var n = e === t ? null : /* @__PURE__ */ Nt(e);
    e.remove(), e = n;
  }
}
function Dt(e) {
  var t = e.parent, n = e.prev, r = e.next;
  n !== null && (n.next = r), r !== null && (r.prev = n), t !== null && (t.first === e && (t.first = r), t.last === e && (t.last = n));
}
function Te(e, t, n = !0) {
  var r = [];
  e.f |= Ke, Pt(e, r, !0);
  var i = () => {
    n && L(e), t && t();
  }, s = r.length;
  if (s > 0) {
    var f = () => --s || i();
    for (var l of r)
      l.out(f);
  } else
    i();
}
function Pt(e, t, n) {
  if ((e.f & O) === 0) {
    e.f ^= O;
    var r = e.nodes && e.nodes.t;
    if (r !== null)
      for (const l of r)
        (l.is_global || n) && t.push(l);
    for (var i = e.first; i !== null; ) {
      var s = i.next;
      if ((i.f & G) === 0) {
        var f = (i.f & we) !== 0 || // If this is a branch effect without a block effect parent,
        // it means the parent block effect was pruned. In that case,
        // transparency information was transferred to the branch effect.
        (i.f & V) !== 0 && (e.f & N) !== 0;
        Pt(i, t, f ? n : !1);
      }
      i = s;
    }
  }
}
function nr(e) {
  e.f &= ~Ke, Mt(e, !0);
}
function Mt(e, t) {
  if ((e.f & Ke) === 0 && (e.f & O) !== 0) {
    e.f ^= O, (e.f & b) === 0 && (w(e, y), K.ensure().schedule(e));
    for (var n = e.first; n !== null; ) {
      var r = n.next, i = (n.f & we) !== 0 || (n.f & V) !== 0;
      Mt(n, i ? t : !1), n = r;
    }
    var s = e.nodes && e.nodes.t;
    if (s !== null)
      for (const f of s)
        (f.is_global || t) && f.in();
  }
}
function In(e, t) {
  if (e.nodes)
    for (var n = e.nodes.start, r = e.nodes.end; n !== null; ) {
      var i = n === r ? null : /* @__PURE__ */ Nt(n);
      t.append(n), n = i;
    }
}
let re = !1;
function st(e) {
  re = e;
}
let v = null, D = !1;
function C(e) {
  v = e;
}
let g = null;
function B(e) {
  g = e;
}
let Y = null;
function Ln(e) {
  v !== null && ((v.f & Oe) !== 0 || (v.f & k) !== 0) && (Y ??= /* @__PURE__ */ new Set()).add(e);
}
let S = null, T = 0, R = null;
function Yn(e) {
  R = e;
}
let jt = 1, ee = 0, ne = ee;
function lt(e) {
  ne = e;
}
function It() {
  return ++jt;
}
function Ee(e) {
  var t = e.f;
  if ((t & y) !== 0)
    return !0;
  if ((t & A) !== 0) {
    for (var n = (
      /** @type {Value[]} */
      e.deps
    ), r = n.length, i = 0; i < r; i++) {
      var s = n[i];
      if (Ee(
        /** @type {Derived} */
        s
      ) && bt(
        /** @type {Derived} */
        s
      ), s.wv > e.wv)
        return !0;
    }
    (t & P) !== 0 && // During time traveling we don't want to reset the status so that
    // traversal of the graph in the other batches still happens
    F === null && w(e, b);
  }
  return !1;
}
function Lt(e, t, n = !0) {
  var r = e.reactions;
  if (r !== null && !(Y !== null && Y.has(e)))
    for (var i = 0; i < r.length; i++) {
      var s = r[i];
      (s.f & k) !== 0 ? Lt(
        /** @type {Derived} */
        s,
        t,
        !1
      ) : t === s && (n ? w(s, y) : (s.f & b) !== 0 && w(s, A), Je(
        /** @type {Effect} */
        s
      ));
    }
}
function Yt(e) {
  var t = S, n = T, r = R, i = v, s = Y, f = M, l = D, u = ne, a = e.f;
  S = /** @type {null | Value[]} */
  null, T = 0, R = null, v = (a & (V | G)) === 0 ? e : null, Y = null, ue(e.ctx), D = !1, ne = ++ee, e.ac !== null && (Pe(() => {
    e.ac.abort(be);
  }), e.ac = null);
  try {
    e.f |= Oe;
    var h = (
      /** @type {Function} */
      e.fn
    ), o = h();
    e.f |= oe;
    var d = ft(e);
    if (yt() && R !== null && !D && d !== null && (e.f & (k | A | y)) === 0)
      for (var c = 0; c < /** @type {Source[]} */
      R.length; c++)
        Lt(
          R[c],
          /** @type {Effect} */
          e
        );
    if (i !== null && i !== e) {
      if (ee++, i.deps !== null)
        for (let _ = 0; _ < n; _ += 1)
          i.deps[_].rv = ee;
      if (t !== null)
        for (const _ of t)
          _.rv = ee;
      R !== null && (r === null ? r = R : r.push(.../** @type {Source[]} */
      R));
    }
    return (e.f & $) !== 0 && (e.f ^= $), o;
  } catch (_) {
    return ft(e), An(_);
  } finally {
    e.f ^= Oe, S = t, T = n, R = r, v = i, Y = s, ue(f), D = l, ne = u;
  }
}
function ft(e) {
  var t = e.deps, n = p?.is_fork;
  if (S !== null) {
    var r;
    if (n || me(e, T), t !== null && T > 0)
      for (t.length = T + S.length, r = 0; r < S.length; r++)
        t[T + r] = S[r];
    else
      e.deps = t = S;
    if (Qe() && (e.f & P) !== 0)
      for (r = T; r < t.length; r++)
        (t[r].reactions ??= []).push(e);
  } else !n && t !== null && T < t.length && (me(e, T), t.length = T);
  return t;
}
function Bn(e, t) {
  let n = t.reactions;
  if (n !== null) {
    var r = Vt.call(n, e);
    if (r !== -1) {
      var i = n.length - 1;
      i === 0 ? n = t.reactions = null : (n[r] = n[i], n.pop());
    }
  }
  if (n === null && (t.f & k) !== 0 && // Destroying a child effect while updating a parent effect can cause a dependency to appear
  // to be unused, when in fact it is used by the currently-updating parent. Checking `new_deps`
  // allows us to skip the expensive work of disconnecting and immediately reconnecting it
  (S === null || !ge.call(S, t))) {
    var s = (
      /** @type {Derived} */
      t
    );
    (s.f & P) !== 0 && (s.f ^= P), s.v !== m && We(s), s.ac !== null && Pe(() => {
      s.ac.abort(be), s.ac = null, w(s, y);
    }), mn(s), me(s, 0);
  }
}
function me(e, t) {
  var n = e.deps;
  if (n !== null)
    for (var r = t; r < n.length; r++)
      Bn(e, n[r]);
}
function ae(e) {
  var t = e.f;
  if ((t & x) === 0) {
    w(e, b);
    var n = g;
    g = e;
    try {
      (t & (N | _t)) !== 0 ? Mn(e) : et(e), Ft(e);
      var r = Yt(e);
      e.teardown = typeof r == "function" ? r : null, e.wv = jt;
      var i;
      ct && on && (e.f & y) !== 0 && e.deps;
    } finally {
      g = n;
    }
  }
}
function te(e) {
  var t = e.f, n = (t & k) !== 0;
  if (v !== null && !D) {
    var r = g !== null && (g.f & x) !== 0;
    if (!r && (Y === null || !Y.has(e))) {
      var i = v.deps;
      if ((v.f & Oe) !== 0)
        e.rv < ee && (e.rv = ee, S === null && i !== null && i[T] === e ? T++ : S === null ? S = [e] : S.push(e));
      else {
        v.deps ??= [], ge.call(v.deps, e) || v.deps.push(e);
        var s = e.reactions;
        s === null ? e.reactions = [v] : ge.call(s, v) || s.push(v);
      }
    }
  }
  if (re && I.has(e))
    return I.get(e);
  if (n) {
    var f = (
      /** @type {Derived} */
      e
    );
    if (re) {
      var l = f.v;
      return ((f.f & b) === 0 && f.reactions !== null || Ut(f)) && (l = Xe(f)), I.set(f, l), l;
    }
    var u = (f.f & P) === 0 && !D && v !== null && (v.f & P) !== 0, a = (f.f & oe) === 0;
    Ee(f) && (u && (f.f |= P), bt(f)), u && !a && (Et(f), Bt(f));
  }
  if (F?.has(e))
    return F.get(e);
  if ((e.f & $) !== 0)
    throw e.v;
  return e.v;
}
function Bt(e) {
  if (e.f |= P, e.deps !== null)
    for (const n of e.deps) {
      var t = n.reactions;
      t === null ? n.reactions = [e] : ge.call(t, e) || t.push(e), (n.f & k) !== 0 && (n.f & P) === 0 && (Et(
        /** @type {Derived} */
        n
      ), Bt(
        /** @type {Derived} */
        n
      ));
    }
}
function Ut(e) {
  if (e.v === m) return !0;
  if (e.deps === null) return !1;
  for (const t of e.deps)
    if (I.has(t) || (t.f & k) !== 0 && Ut(
      /** @type {Derived} */
      t
    ))
      return !0;
  return !1;
}
function Un(e) {
  var t = D;
  try {
    return D = !0, e();
  } finally {
    D = t;
  }
}
const ke = /* @__PURE__ */ Symbol("events"), qn = /* @__PURE__ */ new Set(), ut = /* @__PURE__ */ new Set();
let Be = null, Ue = !1;
function at(e) {
  var t = this, n = (
    /** @type {Node} */
    t.ownerDocument
  ), r = e.type, i = e.composedPath?.() || [], s = (
    /** @type {null | Element} */
    i[0] || e.target
  );
  Be = e, Ue || (Ue = !0, setTimeout(() => {
    Ue = !1, Be = null;
  }));
  var f = 0, l = Be === e && e[ke];
  if (l) {
    var u = i.indexOf(l);
    if (u !== -1 && (t === document || t === /** @type {any} */
    window)) {
      e[ke] = t;
      return;
    }
    var a = i.indexOf(t);
    if (a === -1)
      return;
    u <= a && (f = u);
  }
  if (s = /** @type {Element} */
  i[f] || e.target, s !== t) {
    ht(e, "currentTarget", {
      configurable: !0,
      get() {
        return s || n;
      }
    });
    var h = v, o = g;
    C(null), B(null);
    try {
      for (var d, c = []; s !== null && s !== t; ) {
        try {
          var _ = s[ke]?.[r];
          _ != null && (!/** @type {any} */
          s.disabled || // DOM could've been updated already by the time this is reached, so we check this as well
          // -> the target could not have been disabled because it emits the event in the first place
          e.target === s) && _.call(s, e);
        } catch (E) {
          d ? c.push(E) : d = E;
        }
        if (e.cancelBubble) break;
        f++, s = f < i.length ? (
          /** @type {Element} */
          i[f]
        ) : null;
      }
      if (d) {
        for (let E of c)
          queueMicrotask(() => {
            throw E;
          });
        throw d;
      }
    } finally {
      e[ke] = t, delete e.currentTarget, C(h), B(o);
    }
  }
}
const Vn = ["touchstart", "touchmove"];
function Hn(e) {
  return Vn.includes(e);
}
function zn(e) {
  let t = 0, n = Me(0), r;
  return () => {
    Qe() && (te(n), Dn(() => (t === 0 && (r = Un(() => e(() => pe(n)))), t += 1, () => {
      Q(() => {
        t -= 1, t === 0 && (r?.(), r = void 0, pe(n));
      });
    })));
  };
}
var $n = we | ce;
function Gn(e, t, n, r) {
  new Kn(e, t, n, r);
}
class Kn {
  /** @type {Boundary | null} */
  parent;
  is_pending = !1;
  /**
   * API-level transformError transform function. Transforms errors before they reach the `failed` snippet.
   * Inherited from parent boundary, or defaults to identity.
   * @type {(error: unknown) => unknown}
   */
  transform_error;
  /** @type {TemplateNode} */
  #s;
  /** @type {TemplateNode | null} */
  #p = null;
  /** @type {BoundaryProps} */
  #l;
  /** @type {((anchor: Node) => void)} */
  #f;
  /** @type {Effect} */
  #t;
  /** @type {Effect | null} */
  #n = null;
  /** @type {Effect | null} */
  #r = null;
  /** @type {Effect | null} */
  #e = null;
  /** @type {DocumentFragment | null} */
  #i = null;
  #h = 0;
  #u = 0;
  #d = !1;
  /** @type {Map<Effect, number>} */
  #g = /* @__PURE__ */ new Map();
  /**
   * A source containing the number of pending async deriveds/expressions.
   * Only created if `$effect.pending()` is used inside the boundary,
   * otherwise updating the source results in needless `Batch.ensure()`
   * calls followed by no-op flushes
   * @type {Source<number> | null}
   */
  #a = null;
  #_ = zn(() => (this.#a = Me(this.#h), () => {
    this.#a = null;
  }));
  /**
   * @param {TemplateNode} node
   * @param {BoundaryProps} props
   * @param {((anchor: Node) => void)} children
   * @param {((error: unknown) => unknown) | undefined} [transform_error]
   */
  constructor(t, n, r, i) {
    this.#s = t, this.#l = n, this.#f = (s) => {
      var f = (
        /** @type {Effect} */
        g
      );
      f.b = this, f.f |= qe, r(s);
    }, this.parent = /** @type {Effect} */
    g.b, this.transform_error = i ?? this.parent?.transform_error ?? ((s) => s), this.#t = Pn(() => {
      this.#m();
    }, $n);
  }
  #w() {
    try {
      this.#n = X(() => this.#f(this.#s));
    } catch (t) {
      this.error(t);
    }
  }
  /**
   * @param {unknown} error The deserialized error from the server's hydration comment
   */
  #E(t) {
    const n = this.#l.failed, { reset: r, invoke_onerror: i } = this.#y(t);
    Q(i), n && (this.#e = X(() => {
      n(
        this.#s,
        () => t,
        () => r
      );
    }));
  }
  /**
   * Creates the `reset` function for a failed boundary, along with a function
   * that invokes `onerror` with it (if provided)
   * @param {unknown} error
   * @returns {{ reset: () => void, invoke_onerror: () => void }}
   */
  #y(t) {
    var n = !1, r = !1;
    const i = () => {
      if (!this.#o()) {
        if (n) {
          nn();
          return;
        }
        n = !0, r && an(), this.#e !== null && Te(this.#e, () => {
          this.#e = null;
        }), this.#b(() => {
          this.#m();
        });
      }
    };
    return { reset: i, invoke_onerror: () => {
      if (!this.#o())
        try {
          r = !0, this.#l.onerror?.(t, i), r = !1;
        } catch (f) {
          j(f, this.#t && this.#t.parent);
        }
    } };
  }
  #o() {
    return (this.#t.f & (x | Ae)) !== 0;
  }
  #v() {
    const t = this.#l.pending;
    t && (this.is_pending = !0, this.#r = X(() => t(this.#s)), Q(() => {
      if (!this.#o()) {
        var n = this.#i = document.createDocumentFragment(), r = Ct(), i = !1;
        if (n.append(r), this.#n = this.#b(() => {
          try {
            return X(() => this.#f(r));
          } catch (s) {
            try {
              this.error(s), i = !0;
            } catch (f) {
              j(f, this.#t.parent);
            }
            return null;
          }
        }), this.#n === null) {
          this.#i = null, i && this.#c(
            /** @type {Batch} */
            p
          );
          return;
        }
        this.#u === 0 && (this.#s.before(n), this.#i = null, Te(
          /** @type {Effect} */
          this.#r,
          () => {
            this.#r = null;
          }
        ), this.#c(
          /** @type {Batch} */
          p
        ));
      }
    }));
  }
  #m() {
    try {
      if (this.is_pending = this.has_pending_snippet(), this.#u = 0, this.#h = 0, this.#n = X(() => {
        this.#f(this.#s);
      }), this.#u > 0) {
        var t = this.#i = document.createDocumentFragment();
        In(this.#n, t);
        const n = (
          /** @type {(anchor: Node) => void} */
          this.#l.pending
        );
        this.#r = X(() => n(this.#s));
      } else
        this.#c(
          /** @type {Batch} */
          p
        );
    } catch (n) {
      this.error(n);
    }
  }
  /**
   * @param {Batch} batch
   */
  #c(t) {
    this.is_pending = !1, t.transfer_reactions(this.#g);
  }
  /**
   * Defer an effect inside a pending boundary until the boundary resolves
   * @param {Effect} effect
   */
  defer_effect(t) {
    wt(t, this.#g);
  }
  /**
   * Returns `false` if the effect exists inside a boundary whose pending snippet is shown
   * @returns {boolean}
   */
  is_rendered() {
    return !this.is_pending && (!this.parent || this.parent.is_rendered());
  }
  has_pending_snippet() {
    return !!this.#l.pending;
  }
  /**
   * @template T
   * @param {() => T} fn
   */
  #b(t) {
    var n = g, r = v, i = M;
    B(this.#t), C(this.#t), ue(this.#t.ctx);
    try {
      return K.ensure(), t();
    } finally {
      B(n), C(r), ue(i);
    }
  }
  /**
   * Updates the pending count associated with the currently visible pending snippet,
   * if any, such that we can replace the snippet with content once work is done
   * @param {1 | -1} d
   * @param {Batch} batch
   */
  #k(t, n) {
    if (!this.has_pending_snippet()) {
      this.parent && this.parent.#k(t, n);
      return;
    }
    this.#u += t, this.#u === 0 && (this.#c(n), this.#r && Te(this.#r, () => {
      this.#r = null;
    }), this.#i && (this.#s.before(this.#i), this.#i = null));
  }
  /**
   * Update the source that powers `$effect.pending()` inside this boundary,
   * and controls when the current `pending` snippet (if any) is removed.
   * Do not call from inside the class
   * @param {1 | -1} d
   * @param {Batch} batch
   */
  update_pending_count(t, n) {
    this.#k(t, n), this.#h += t, !(!this.#a || this.#d) && (this.#d = !0, Q(() => {
      this.#d = !1, this.#a && Fe(this.#a, this.#h);
    }));
  }
  get_effect_pending() {
    return this.#_(), te(
      /** @type {Source<number>} */
      this.#a
    );
  }
  /** @param {unknown} error */
  error(t) {
    if (t === ot || !this.#l.onerror && !this.#l.failed)
      throw t;
    p?.is_fork ? (this.#n && p.skip_effect(this.#n), this.#r && p.skip_effect(this.#r), this.#e && p.skip_effect(this.#e), p.oncommit(() => {
      this.#o() || this.#x(t);
    })) : this.#x(t);
  }
  /**
   * @param {unknown} error
   */
  #x(t) {
    this.#n && (L(this.#n), this.#n = null), this.#r && (L(this.#r), this.#r = null), this.#e && (L(this.#e), this.#e = null);
    let n = this.#l.failed;
    const r = (i) => {
      if (this.#o()) return;
      const { reset: s, invoke_onerror: f } = this.#y(i);
      f(), n && !this.#o() && (this.#e = this.#b(() => {
        try {
          return X(() => {
            var l = (
              /** @type {Effect} */
              g
            );
            l.b = this, l.f |= qe, n(
              this.#s,
              () => i,
              () => s
            );
          });
        } catch (l) {
          return j(
            l,
            /** @type {Effect} */
            this.#t.parent
          ), null;
        }
      }));
    };
    Q(() => {
      if (!this.#o()) {
        var i;
        try {
          i = this.transform_error(t);
        } catch (s) {
          j(s, this.#t && this.#t.parent);
          return;
        }
        i !== null && typeof i == "object" && typeof /** @type {any} */
        i.then == "function" ? i.then(
          r,
          /** @param {unknown} e */
          (s) => j(s, this.#t && this.#t.parent)
        ) : r(i);
      }
    });
  }
}
function rr(e, t) {
  var n = t == null ? "" : typeof t == "object" ? `${t}` : t;
  n !== /** @type {any} */
  (e[Ve] ??= e.nodeValue) && (e[Ve] = n, e.nodeValue = `${n}`);
}
function ir(e, t) {
  return Wn(e, t);
}
const xe = /* @__PURE__ */ new Map();
function Wn(e, { target: t, anchor: n, props: r = {}, events: i, context: s, intro: f = !0, transformError: l }) {
  Sn();
  var u = void 0, a = Nn(() => {
    var h = n ?? t.appendChild(Ct());
    Gn(
      /** @type {TemplateNode} */
      h,
      {
        pending: () => {
        }
      },
      (c) => {
        cn({});
        var _ = (
          /** @type {ComponentContext} */
          M
        );
        s && (_.c = s), i && (r.$$events = i), u = e(c, r) || gt(), hn();
      },
      l
    );
    var o = /* @__PURE__ */ new Set(), d = (c) => {
      for (var _ = 0; _ < c.length; _++) {
        var E = c[_];
        if (!o.has(E)) {
          o.add(E);
          var H = Hn(E);
          for (const je of [t, document]) {
            var U = xe.get(je);
            U === void 0 && (U = /* @__PURE__ */ new Map(), xe.set(je, U));
            var ie = U.get(E);
            ie === void 0 ? (je.addEventListener(E, at, { passive: H }), U.set(E, 1)) : U.set(E, ie + 1);
          }
        }
      }
    };
    return d(Ht(qn)), ut.add(d), () => {
      for (var c of o)
        for (const H of [t, document]) {
          var _ = (
            /** @type {Map<string, number>} */
            xe.get(H)
          ), E = (
            /** @type {number} */
            _.get(c)
          );
          --E == 0 ? (H.removeEventListener(c, at), _.delete(c), _.size === 0 && xe.delete(H)) : _.set(c, E);
        }
      ut.delete(d), h !== n && h.parentNode?.removeChild(h);
    };
  });
  return Ge.set(u, a), u;
}
let Ge = /* @__PURE__ */ new WeakMap();
function sr(e, t) {
  const n = Ge.get(e);
  return n ? (Ge.delete(e), n(t)) : Promise.resolve();
}
export {
  we as E,
  Xn as T,
  g as a,
  Ct as b,
  er as c,
  L as d,
  X as e,
  p as f,
  Tn as g,
  Pn as h,
  xn as i,
  hn as j,
  cn as k,
  Jn as l,
  In as m,
  rr as n,
  ir as o,
  Te as p,
  nr as r,
  Qn as s,
  tr as t,
  sr as u
};
