const cr = 1, hr = 2, _r = 16, dr = 1, vr = 2, pr = 4, gr = 8, wr = 16, yr = 1, mr = 2, wt = {}, m = /* @__PURE__ */ Symbol("uninitialized"), Jt = "http://www.w3.org/1999/xhtml", Er = "http://www.w3.org/2000/svg", br = "@attach", yt = !1;
var Qt = Array.isArray, en = Array.prototype.indexOf, be = Array.prototype.includes, tn = Array.from, mt = Object.defineProperty, ge = Object.getOwnPropertyDescriptor, Tr = Object.getOwnPropertyDescriptors, nn = Object.prototype, rn = Array.prototype, sn = Object.getPrototypeOf, ot = Object.isExtensible;
function Sr(e) {
  return typeof e == "function";
}
const ln = () => {
};
function an(e) {
  for (var t = 0; t < e.length; t++)
    e[t]();
}
function Et() {
  var e, t, n = new Promise((r, s) => {
    e = r, t = s;
  });
  return { promise: n, resolve: e, reject: t };
}
const S = 2, ue = 4, Be = 8, et = 1 << 24, N = 16, V = 32, W = 64, $e = 128, tt = 256, D = 512, E = 1024, w = 2048, R = 4096, O = 8192, k = 16384, he = 32768, Ie = 1 << 25, Te = 65536, Me = 1 << 17, fn = 1 << 18, _e = 1 << 19, un = 1 << 20, kr = 1 << 25, De = 1 << 21, ae = 1 << 22, K = 1 << 23, we = /* @__PURE__ */ Symbol("$state"), bt = /* @__PURE__ */ Symbol("component"), xr = /* @__PURE__ */ Symbol("legacy props"), Ar = /* @__PURE__ */ Symbol(""), on = /* @__PURE__ */ Symbol("attributes"), cn = /* @__PURE__ */ Symbol("class"), hn = /* @__PURE__ */ Symbol("style"), Ke = /* @__PURE__ */ Symbol("text"), ke = new class extends Error {
  name = "StaleReactionError";
  message = "The reaction that called `getAbortSignal()` was re-run or destroyed";
}(), Cr = (
  // We gotta write it like this because after downleveling the pure comment may end up in the wrong location
  !!globalThis.document?.contentType && /* @__PURE__ */ globalThis.document.contentType.includes("xml")
);
function _n() {
  console.warn("https://svelte.dev/e/derived_inert");
}
function Or() {
  console.warn("https://svelte.dev/e/select_multiple_invalid_value");
}
function dn() {
  console.warn("https://svelte.dev/e/svelte_boundary_reset_noop");
}
function Tt(e) {
  return e === this.v;
}
function vn(e, t) {
  return e != e ? t == t : e !== t || e !== null && typeof e == "object" || typeof e == "function";
}
function St(e) {
  return !vn(e, this.v);
}
function pn() {
  throw new Error("https://svelte.dev/e/async_derived_orphan");
}
function Pr(e, t, n) {
  throw new Error("https://svelte.dev/e/each_key_duplicate");
}
function gn(e) {
  throw new Error("https://svelte.dev/e/effect_in_teardown");
}
function wn() {
  throw new Error("https://svelte.dev/e/effect_in_unowned_derived");
}
function yn(e) {
  throw new Error("https://svelte.dev/e/effect_orphan");
}
function mn() {
  throw new Error("https://svelte.dev/e/effect_update_depth_exceeded");
}
function Nr(e) {
  throw new Error("https://svelte.dev/e/props_invalid_value");
}
function En() {
  throw new Error("https://svelte.dev/e/state_descriptors_fixed");
}
function bn() {
  throw new Error("https://svelte.dev/e/state_prototype_fixed");
}
function Tn() {
  throw new Error("https://svelte.dev/e/state_unsafe_mutation");
}
function Sn() {
  throw new Error("https://svelte.dev/e/svelte_boundary_reset_onerror");
}
let Ve = !1, kn = !1;
function Ir() {
  Ve = !0;
}
let b = null;
function oe(e) {
  b = e;
}
function xn(e, t = !1, n) {
  b = {
    p: b,
    i: !1,
    c: null,
    e: null,
    s: e,
    x: null,
    r: (
      /** @type {Effect} */
      g
    ),
    l: Ve && !t ? { s: null, u: null, $: [] } : null
  };
}
function An(e) {
  var t = (
    /** @type {ComponentContext} */
    b
  ), n = t.e;
  if (n !== null) {
    t.e = null;
    for (var r of n)
      Bt(r);
  }
  return t.i = !0, b = t.p, kt(e);
}
function kt(e = {}) {
  return mt(e, bt, { value: !0 }), e;
}
function xe() {
  return !Ve || b !== null && b.l === null;
}
let te = [];
function xt() {
  var e = te;
  te = [], an(e);
}
function $(e) {
  if (te.length === 0 && !ye) {
    var t = te;
    queueMicrotask(() => {
      t === te && xt();
    });
  }
  te.push(e);
}
function Rn() {
  for (; te.length > 0; )
    xt();
}
const Cn = -7169;
function y(e, t) {
  e.f = e.f & Cn | t;
}
function nt(e) {
  (e.f & D) !== 0 || e.deps === null ? y(e, E) : y(e, R);
}
function At(e, t) {
  (e.f & w) !== 0 ? t.set(e, w) : (e.f & R) !== 0 && t.get(e) !== w && t.set(e, R), y(e, E);
}
function Ae(e) {
  var t = v, n = g;
  P(null), Y(null);
  try {
    return e();
  } finally {
    P(t), Y(n);
  }
}
function On(e, t, n, r) {
  const s = xe() ? rt : In;
  var i = e.filter((c) => !c.settled), f = t.map(s);
  if (n.length === 0 && i.length === 0) {
    r(f);
    return;
  }
  var l = (
    /** @type {Effect} */
    g
  ), a = Pn(), u = i.length === 1 ? i[0].promise : i.length > 1 ? Promise.all(i.map((c) => c.promise)) : null;
  function _(c) {
    if ((l.f & k) === 0) {
      a();
      try {
        r([...f, ...c]);
      } catch (d) {
        F(d, l);
      }
      Fe();
    }
  }
  var o = Rt();
  if (n.length === 0) {
    u.then(() => _([])).finally(o);
    return;
  }
  function h() {
    Promise.all(n.map((c) => /* @__PURE__ */ Nn(c))).then(_).catch((c) => F(c, l)).finally(o);
  }
  u ? u.then(() => {
    if ((l.f & k) !== 0) {
      o();
      return;
    }
    a(), h(), Fe();
  }) : h();
}
function Pn() {
  var e = (
    /** @type {Effect} */
    g
  ), t = v, n = b, r = (
    /** @type {Batch} */
    p
  );
  return function(i = !0) {
    Y(e), P(t), oe(n), i && (e.f & k) === 0 && (r?.activate(), r?.apply());
  };
}
function Fe(e = !0) {
  Y(null), P(null), oe(null), e && p?.deactivate();
}
function Rt() {
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
function rt(e) {
  var t = S | w;
  return g !== null && (g.f |= _e), {
    ctx: b,
    deps: null,
    effects: null,
    equals: Tt,
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
const de = /* @__PURE__ */ Symbol("obsolete");
// @__NO_SIDE_EFFECTS__
function Nn(e, t, n) {
  let r = (
    /** @type {Effect | null} */
    g
  );
  r === null && pn();
  var s = (
    /** @type {Promise<V>} */
    /** @type {unknown} */
    void 0
  ), i = Re(
    /** @type {V} */
    m
  ), f = !v, l = /* @__PURE__ */ new Set();
  return $n(() => {
    var a = (
      /** @type {Effect} */
      g
    ), u = Et();
    s = u.promise;
    try {
      Promise.resolve(e()).then(u.resolve, (c) => {
        c !== ke && u.reject(c);
      }).finally(Fe);
    } catch (c) {
      u.reject(c), Fe();
    }
    var _ = (
      /** @type {Batch} */
      p
    );
    if (f) {
      if ((a.f & he) !== 0)
        var o = Rt();
      if (
        // boundary can be null if the async derived is inside an $effect.root not connected to the component render tree
        r.b?.is_rendered()
      )
        _.async_deriveds.get(a)?.reject(de);
      else
        for (const c of l.values())
          c.reject(de);
      l.add(u), _.async_deriveds.set(a, u);
    }
    const h = (c, d = void 0) => {
      o?.(), l.delete(u), d !== de && (_.activate(), d ? (i.f |= K, je(i, d)) : ((i.f & K) !== 0 && (i.f ^= K), je(i, c)), _.deactivate());
    };
    u.promise.then(h, (c) => h(null, c || "unknown"));
  }), Gn(() => {
    for (const a of l)
      a.reject(de);
  }), new Promise((a) => {
    function u(_) {
      function o() {
        _ === s ? a(i) : u(s);
      }
      _.then(o, o);
    }
    u(s);
  });
}
// @__NO_SIDE_EFFECTS__
function Mr(e) {
  const t = /* @__PURE__ */ rt(e);
  return Ut(t), t;
}
// @__NO_SIDE_EFFECTS__
function In(e) {
  const t = /* @__PURE__ */ rt(e);
  return t.equals = St, t;
}
function Mn(e) {
  var t = e.effects;
  if (t !== null) {
    e.effects = null;
    for (var n = 0; n < t.length; n += 1)
      j(
        /** @type {Effect} */
        t[n]
      );
  }
}
function st(e) {
  var t, n = g, r = e.parent;
  if (!Z && r !== null && e.v !== m && // if it was never evaluated before, it's guaranteed to fail downstream, so we try to execute instead
  (r.f & (k | O)) !== 0)
    return _n(), e.v;
  Y(r);
  try {
    Mn(e), t = Kt(e);
  } finally {
    Y(n);
  }
  return t;
}
function Ct(e) {
  var t = st(e);
  if (!e.equals(t) && (e.wv = zt(), (!p?.is_fork || e.deps === null) && (p !== null ? (p.capture(e, t, !0), fe?.capture(e, t, !0)) : e.v = t, e.deps === null))) {
    y(e, E);
    return;
  }
  Z || (I !== null ? (ft() || p?.is_fork) && I.set(e, t) : nt(e));
}
function Dn(e) {
  if (e.effects !== null)
    for (const t of e.effects)
      (t.teardown || t.ac) && (t.teardown?.(), t.ac !== null && Ae(() => {
        t.ac.abort(ke), t.ac = null;
      }), t.fn !== null && (t.teardown = ln), Se(t, 0), ut(t));
}
function Ot(e) {
  if (e.effects !== null)
    for (const t of e.effects)
      t.teardown && t.fn !== null && ce(t);
}
let He = null, le = null, p = null, fe = null, I = null, We = null, ye = !1, Ue = !1, me = null, Pe = null;
var ct = 0;
let Fn = 1;
class X {
  id = Fn++;
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
  #i = /* @__PURE__ */ new Set();
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
  #a = /* @__PURE__ */ new Map();
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
  #s = /* @__PURE__ */ new Map();
  /**
   * Inverse of #skipped_branches which we need to tell prior batches to unskip them when committing
   * @type {Set<Effect>}
   */
  #h = /* @__PURE__ */ new Set();
  is_fork = !1;
  #f = !1;
  constructor() {
    le === null ? He = le = this : (le.next = this, this.prev = le), le = this;
  }
  #_() {
    if (this.is_fork) return !0;
    for (const t of this.#a.keys())
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
      if (this.#s.has(n)) return !0;
    return !1;
  }
  /**
   * Add an effect to the #skipped_branches map and reset its children
   * @param {Effect} effect
   */
  skip_effect(t) {
    this.#s.has(t) || this.#s.set(t, { d: [], m: [] }), this.#h.delete(t);
  }
  /**
   * Remove an effect from the #skipped_branches map and reschedule
   * any tracked dirty/maybe_dirty child effects
   * @param {Effect} effect
   * @param {(e: Effect) => void} callback
   */
  unskip_effect(t, n = (r) => this.schedule(r)) {
    var r = this.#s.get(t);
    if (r) {
      this.#s.delete(t);
      for (var s of r.d)
        y(s, w), n(s);
      for (s of r.m)
        y(s, R), n(s);
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
  #u() {
    var t = [];
    for (const i of this.#n)
      if (!((i.f & k) !== 0 || (i.f & (w | R)) === 0)) {
        for (var n = i, r = !1; n.parent !== null; ) {
          n = n.parent;
          var s = n.f;
          if ((s & (W | V)) !== 0) {
            if ((s & E) === 0) {
              r = !0;
              break;
            }
            n.f ^= E;
          }
        }
        r || t.push(n);
      }
    return this.#n = [], t;
  }
  #d() {
    this.started = !0;
    for (const [l, a] of this.#e)
      y(l, a), this.schedule(l);
    this.apply();
    for (var t = me = [], n = [], r = Pe = []; this.#n.length > 0; ) {
      ct++ > 1e3 && (this.#c(), jn());
      for (const l of this.#u())
        try {
          this.#y(l, t, n);
        } catch (a) {
          throw It(l), this.#_() || this.discard(), a;
        }
    }
    if (p = null, r.length > 0) {
      var s = X.ensure();
      for (const l of r)
        s.schedule(l);
    }
    if (me = null, Pe = null, this.#_()) {
      this.#v(n), this.#v(t);
      for (const [l, a] of this.#s)
        Nt(l, a);
      r.length > 0 && /** @type {unknown} */
      p.#d();
      return;
    }
    const i = this.#b();
    if (i) {
      this.#v(n), this.#v(t), i.#o(this);
      return;
    }
    this.#e.clear();
    for (const l of this.#i) l(this);
    this.#i.clear(), fe = this, ht(n), ht(t), fe = null, this.#t?.resolve();
    var f = (
      /** @type {Batch | null} */
      /** @type {unknown} */
      p
    );
    this.#l === 0 && (this.#n.length === 0 || f !== null) && this.#c(), f !== null && (L.clear(), f.#d());
  }
  /**
   * Traverse the effect tree, executing effects or stashing
   * them for later execution as appropriate
   * @param {Effect} root
   * @param {Effect[]} effects
   * @param {Effect[]} render_effects
   */
  #y(t, n, r) {
    t.f ^= E;
    for (var s = t.first; s !== null; ) {
      var i = s.f, f = (i & (V | W)) !== 0, l = f && (i & E) !== 0, a = l || (i & O) !== 0 || this.#s.has(s);
      if (!a && s.fn !== null) {
        f ? s.f ^= E : (i & ue) !== 0 ? n.push(s) : Ce(s) && ((i & N) !== 0 && this.add_dirty_reaction(s, R), ce(s));
        var u = s.first;
        if (u !== null) {
          s = u;
          continue;
        }
      }
      for (; s !== null; ) {
        var _ = s.next;
        if (_ !== null) {
          s = _;
          break;
        }
        s = s.parent;
      }
    }
  }
  #b() {
    for (var t = this.prev; t !== null; t = t.prev)
      if (!t.is_fork && this.#w(t)) return t;
    return null;
  }
  /** @param {Batch} batch */
  #w(t) {
    for (const [n, [, r]] of this.current)
      if (!r && t.current.has(n))
        return !0;
    return !1;
  }
  /**
   * @param {Batch} batch
   */
  #o(t) {
    for (const [r, s] of t.current)
      !this.previous.has(r) && t.previous.has(r) && this.previous.set(r, t.previous.get(r)), this.current.set(r, s);
    for (const [r, s] of t.async_deriveds) {
      const i = this.async_deriveds.get(r);
      i && s.promise.then(i.resolve).catch(i.reject);
    }
    t.async_deriveds.clear(), this.transfer_reactions(t.#e);
    const n = (r) => {
      var s = r.reactions;
      if (s !== null && !((r.f & S) !== 0 && (r.f & (w | R)) === 0))
        for (const l of s) {
          var i = l.f;
          if ((i & S) !== 0)
            n(
              /** @type {Derived} */
              l
            );
          else {
            var f = (
              /** @type {Effect} */
              l
            );
            i & (ae | N) && !this.async_deriveds.has(f) && (this.#e.delete(f), y(f, w), this.schedule(f));
          }
        }
    };
    for (const r of this.current.keys())
      n(r);
    this.oncommit(() => t.discard()), t.#c(), p = this, this.#d();
  }
  /**
   * @param {Effect[]} effects
   */
  #v(t) {
    for (var n = 0; n < t.length; n += 1)
      At(t[n], this.#e);
  }
  /**
   * Associate a change to a given source with the current
   * batch, noting its previous and current values
   * @param {Value} source
   * @param {any} value
   * @param {boolean} [is_derived]
   */
  capture(t, n, r = !1) {
    t.v !== m && !this.previous.has(t) && this.previous.set(t, t.v), (t.f & K) === 0 && (this.current.set(t, [n, r]), I?.set(t, n)), this.is_fork || (t.v = n);
  }
  activate() {
    p = this;
  }
  deactivate() {
    p = null, I = null;
  }
  flush() {
    try {
      Ue = !0, p = this, this.#d();
    } finally {
      ct = 0, We = null, me = null, Pe = null, Ue = !1, p = null, I = null, L.clear();
    }
  }
  discard() {
    for (const t of this.#p) t(this);
    this.#p.clear();
    for (const t of this.async_deriveds.values())
      t.reject(de);
    this.#c(), this.#t?.resolve();
  }
  /**
   * @param {Effect} effect
   */
  register_created_effect(t) {
    this.#r.push(t);
  }
  #m() {
    for (let o = He; o !== null; o = o.next) {
      var t = o.id < this.id, n = [];
      for (const [h, [c, d]] of this.current) {
        if (o.current.has(h)) {
          var r = (
            /** @type {[any, boolean]} */
            o.current.get(h)[0]
          );
          if (t && c !== r)
            o.current.set(h, [c, d]);
          else
            continue;
        }
        n.push(h);
      }
      if (t)
        for (const [h, c] of this.async_deriveds) {
          const d = o.async_deriveds.get(h);
          d && c.promise.then(d.resolve).catch(d.reject);
        }
      var s = [...o.current.keys()].filter(
        (h) => !/** @type {[any, boolean]} */
        o.current.get(h)[1]
      );
      if (!(!o.started || s.length === 0)) {
        var i = s.filter((h) => !this.current.has(h));
        if (i.length === 0)
          t && o.discard();
        else if (n.length > 0) {
          if (t)
            for (const h of this.#h)
              o.unskip_effect(h, (c) => {
                (c.f & (N | ae)) !== 0 ? o.schedule(c) : o.#v([c]);
              });
          o.activate();
          var f = /* @__PURE__ */ new Set(), l = /* @__PURE__ */ new Map();
          for (var a of n)
            Pt(a, i, f, l);
          l = /* @__PURE__ */ new Map();
          var u = [...o.current].filter(([h, c]) => {
            const d = this.current.get(h);
            return d ? d[0] !== c[0] || d[1] !== c[1] : !0;
          }).map(([h]) => h);
          if (u.length > 0)
            for (const h of this.#r)
              (h.f & (k | O | Me)) === 0 && it(h, u, l) && ((h.f & (ae | N)) !== 0 ? (y(h, w), o.schedule(h)) : o.add_dirty_reaction(h, w));
          if (o.#n.length > 0 && !o.#f) {
            o.apply();
            for (var _ of o.#u())
              o.#y(_, [], []);
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
      let r = this.#a.get(n) ?? 0;
      this.#a.set(n, r + 1);
    }
  }
  /**
   * @param {boolean} blocking
   * @param {Effect} effect
   */
  decrement(t, n) {
    if (this.#l -= 1, t) {
      let r = this.#a.get(n) ?? 0;
      r === 1 ? this.#a.delete(n) : this.#a.set(n, r - 1);
    }
    this.#f || (this.#f = !0, $(() => {
      this.#f = !1, this.linked && this.flush();
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
    (n === w || this.#e.get(t) !== w) && this.#e.set(t, n);
  }
  /** @param {(batch: Batch) => void} fn */
  oncommit(t) {
    this.#i.add(t);
  }
  /** @param {(batch: Batch) => void} fn */
  ondiscard(t) {
    this.#p.add(t);
  }
  settled() {
    return (this.#t ??= Et()).promise;
  }
  static ensure() {
    if (p === null) {
      const t = p = new X();
      !Ue && !ye && $(() => {
        t.started || t.flush();
      });
    }
    return p;
  }
  apply() {
    {
      I = null;
      return;
    }
  }
  /**
   *
   * @param {Effect} effect
   */
  schedule(t) {
    if (We = t, t.b?.is_pending && (t.f & (ue | Be | et)) !== 0 && (t.f & he) === 0) {
      t.b.defer_effect(t);
      return;
    }
    this.#n.push(t);
  }
  #c() {
    if (this.linked) {
      var t = this.prev, n = this.next;
      t === null ? He = n : t.next = n, n === null ? le = t : n.prev = t, this.linked = !1;
    }
  }
}
function Ln(e) {
  var t = ye, n = fe;
  fe = null, ye = !0;
  try {
    for (var r; ; ) {
      if (Rn(), p === null)
        return (
          /** @type {T} */
          r
        );
      p.flush();
    }
  } finally {
    ye = t, fe = n;
  }
}
function jn() {
  try {
    mn();
  } catch (e) {
    F(e, We);
  }
}
let U = null;
function ht(e) {
  var t = e.length;
  if (t !== 0) {
    for (var n = 0; n < t; ) {
      var r = e[n++];
      if ((r.f & (k | O)) === 0 && Ce(r) && (U = /* @__PURE__ */ new Set(), ce(r), r.deps === null && r.first === null && r.nodes === null && r.teardown === null && r.ac === null && Yt(r), U?.size > 0)) {
        L.clear();
        for (const s of U) {
          if ((s.f & (k | O)) !== 0) continue;
          const i = [s];
          let f = s.parent;
          for (; f !== null; )
            U.has(f) && (U.delete(f), i.push(f)), f = f.parent;
          for (let l = i.length - 1; l >= 0; l--) {
            const a = i[l];
            (a.f & (k | O)) === 0 && ce(a);
          }
        }
        U.clear();
      }
    }
    U = null;
  }
}
function Pt(e, t, n, r) {
  if (!n.has(e) && (n.add(e), e.reactions !== null))
    for (const s of e.reactions) {
      const i = s.f;
      (i & S) !== 0 ? Pt(
        /** @type {Derived} */
        s,
        t,
        n,
        r
      ) : (i & (ae | N)) !== 0 && (i & w) === 0 && it(s, t, r) && (y(s, w), lt(
        /** @type {Effect} */
        s
      ));
    }
}
function it(e, t, n) {
  const r = n.get(e);
  if (r !== void 0) return r;
  if (e.deps !== null)
    for (const s of e.deps) {
      if (be.call(t, s))
        return !0;
      if ((s.f & S) !== 0 && it(
        /** @type {Derived} */
        s,
        t,
        n
      ))
        return n.set(
          /** @type {Derived} */
          s,
          !0
        ), !0;
    }
  return n.set(e, !1), !1;
}
function lt(e) {
  p.schedule(e);
}
function Nt(e, t) {
  if (!((e.f & V) !== 0 && (e.f & E) !== 0)) {
    (e.f & w) !== 0 ? t.d.push(e) : (e.f & R) !== 0 && t.m.push(e), y(e, E);
    for (var n = e.first; n !== null; )
      Nt(n, t), n = n.next;
  }
}
function It(e) {
  y(e, E);
  for (var t = e.first; t !== null; )
    It(t), t = t.next;
}
let Le = /* @__PURE__ */ new Set();
const L = /* @__PURE__ */ new Map();
let Mt = !1;
function Re(e, t) {
  var n = {
    f: 0,
    v: e,
    reactions: null,
    equals: Tt,
    rv: 0,
    wv: 0
  };
  return n;
}
// @__NO_SIDE_EFFECTS__
function z(e, t) {
  const n = Re(e);
  return Ut(n), n;
}
// @__NO_SIDE_EFFECTS__
function Dr(e, t = !1, n = !0) {
  const r = Re(e);
  return t || (r.equals = St), Ve && n && b !== null && b.l !== null && (b.l.s ??= []).push(r), r;
}
function Q(e, t, n = !1) {
  v !== null && // since we are untracking the function inside `$inspect.with` we need to add this check
  // to ensure we error if state is set inside an inspect effect
  (!M || (v.f & Me) !== 0) && xe() && (v.f & (S | N | ae | Me)) !== 0 && (B === null || !B.has(e)) && Tn();
  let r = n ? ve(t) : t;
  return je(e, r, Pe);
}
var ee = null, Xe = 0;
function je(e, t, n = null) {
  if (!e.equals(t)) {
    Z ? L.set(e, t) : L.has(e) || L.set(e, e.v);
    var r = X.ensure();
    if (r.capture(e, t), (e.f & S) !== 0) {
      const s = (
        /** @type {Derived} */
        e
      );
      (e.f & w) !== 0 && st(s), I === null && nt(s);
    }
    e.wv = zt(), ee = null, Xe = 0, Dt(e, w, n), ee = null, xe() && g !== null && (g.f & E) !== 0 && (g.f & (V | W)) === 0 && (C === null ? Qn([e]) : C.push(e)), !r.is_fork && Le.size > 0 && !Mt && Bn();
  }
  return t;
}
function Bn() {
  Mt = !1;
  for (const e of Le) {
    (e.f & E) !== 0 && y(e, R);
    let t;
    try {
      t = Ce(e);
    } catch {
      t = !0;
    }
    t && ce(e);
  }
  Le.clear();
}
function Ee(e) {
  Q(e, e.v + 1);
}
function Dt(e, t, n) {
  var r = e.reactions;
  if (r !== null) {
    var s = xe(), i = r.length;
    if (Xe += i, Xe > 1e5 && ee === null && (ee = /* @__PURE__ */ new Set()), ee !== null) {
      if (ee.has(e)) return;
      ee.add(e);
    }
    for (var f = 0; f < i; f++) {
      var l = r[f], a = l.f;
      if (!(!s && l === g)) {
        var u = (a & w) === 0;
        if (u && y(l, t), (a & Me) !== 0)
          Le.add(
            /** @type {Effect} */
            l
          );
        else if ((a & S) !== 0) {
          var _ = (
            /** @type {Derived} */
            l
          );
          I?.delete(_), Dt(_, R, n);
        } else if (u) {
          var o = (
            /** @type {Effect} */
            l
          );
          (a & N) !== 0 && U !== null && U.add(o), n !== null ? n.push(o) : lt(o);
        }
      }
    }
  }
}
function ve(e) {
  if (typeof e != "object" || e === null || we in e || bt in e)
    return e;
  const t = sn(e);
  if (t !== nn && t !== rn)
    return e;
  var n = /* @__PURE__ */ new Map(), r = Qt(e), s = /* @__PURE__ */ z(0), i = se, f = (l) => {
    if (se === i)
      return l();
    var a = v, u = se;
    P(null), pt(i);
    var _ = l();
    return P(a), pt(u), _;
  };
  return r && n.set("length", /* @__PURE__ */ z(
    /** @type {any[]} */
    e.length
  )), new Proxy(
    /** @type {any} */
    e,
    {
      defineProperty(l, a, u) {
        (!("value" in u) || u.configurable === !1 || u.enumerable === !1 || u.writable === !1) && En();
        var _ = n.get(a);
        return _ === void 0 ? f(() => {
          var o = /* @__PURE__ */ z(u.value);
          return n.set(a, o), o;
        }) : Q(_, u.value, !0), !0;
      },
      deleteProperty(l, a) {
        var u = n.get(a);
        if (u === void 0) {
          if (a in l) {
            const _ = f(() => /* @__PURE__ */ z(m));
            n.set(a, _), Ee(s);
          }
        } else
          Q(u, m), Ee(s);
        return !0;
      },
      get(l, a, u) {
        if (a === we)
          return e;
        var _ = n.get(a), o = a in l;
        if (_ === void 0 && (!o || ge(l, a)?.writable) && (_ = f(() => {
          var c = ve(o ? l[a] : m), d = /* @__PURE__ */ z(c);
          return d;
        }), n.set(a, _)), _ !== void 0) {
          var h = re(_);
          return h === m ? void 0 : h;
        }
        return Reflect.get(l, a, u);
      },
      getOwnPropertyDescriptor(l, a) {
        this.has?.(l, a);
        var u = Reflect.getOwnPropertyDescriptor(l, a), _ = n.get(a);
        if (_ !== void 0) {
          var o = re(_);
          if (o === m)
            return;
          if (u && "value" in u)
            u.value = o;
          else
            return {
              enumerable: !0,
              configurable: !0,
              value: o,
              writable: !0
            };
        }
        return u;
      },
      has(l, a) {
        if (a === we)
          return !0;
        var u = n.get(a), _ = u !== void 0 && u.v !== m || Reflect.has(l, a);
        if (u !== void 0 || (g !== null || v !== null) && (!_ || ge(l, a)?.writable)) {
          u === void 0 && (u = f(() => {
            var h = _ ? ve(l[a]) : m, c = /* @__PURE__ */ z(h);
            return c;
          }), n.set(a, u));
          var o = re(u);
          if (o === m)
            return !1;
        }
        return _;
      },
      set(l, a, u, _) {
        var o = n.get(a), h = a in l;
        if (r && a === "length")
          for (var c = u; c < /** @type {Source<number>} */
          o.v; c += 1) {
            var d = n.get(c + "");
            d !== void 0 ? Q(d, m) : c in l && (d = f(() => /* @__PURE__ */ z(m)), n.set(c + "", d));
          }
        if (o === void 0)
          (!h || ge(l, a)?.writable) && (o = f(() => /* @__PURE__ */ z(void 0)), Q(o, ve(u)), n.set(a, o));
        else {
          h = o.v !== m;
          var T = f(() => ve(u));
          Q(o, T);
        }
        var G = Reflect.getOwnPropertyDescriptor(l, a);
        if (G?.set && G.set.call(_, u), !h) {
          if (r && typeof a == "string") {
            var H = (
              /** @type {Source<number>} */
              n.get("length")
            ), ie = Number(a);
            Number.isInteger(ie) && ie >= H.v && Q(H, ie + 1);
          }
          Ee(s);
        }
        return !0;
      },
      ownKeys(l) {
        re(s);
        var a = Reflect.ownKeys(l).filter((o) => {
          var h = n.get(o);
          return h === void 0 || h.v !== m;
        });
        for (var [u, _] of n)
          _.v !== m && !(u in l) && a.push(u);
        return a;
      },
      setPrototypeOf() {
        bn();
      }
    }
  );
}
function _t(e) {
  try {
    if (e !== null && typeof e == "object" && we in e)
      return e[we];
  } catch {
  }
  return e;
}
function Fr(e, t) {
  return Object.is(_t(e), _t(t));
}
var dt, Vn, Ft, Lt;
function Yn() {
  if (dt === void 0) {
    dt = window, Vn = /Firefox/.test(navigator.userAgent);
    var e = Element.prototype, t = Node.prototype, n = Text.prototype;
    Ft = ge(t, "firstChild").get, Lt = ge(t, "nextSibling").get, ot(e) && (e[cn] = void 0, e[on] = null, e[hn] = void 0, e.__e = void 0), ot(n) && (n[Ke] = void 0);
  }
}
function jt(e = "") {
  return document.createTextNode(e);
}
// @__NO_SIDE_EFFECTS__
function at(e) {
  return (
    /** @type {TemplateNode | null} */
    Ft.call(e)
  );
}
// @__NO_SIDE_EFFECTS__
function Ye(e) {
  return (
    /** @type {TemplateNode | null} */
    Lt.call(e)
  );
}
function Lr(e, t) {
  return /* @__PURE__ */ at(e);
}
function jr(e, t = !1) {
  {
    var n = /* @__PURE__ */ at(e);
    return n instanceof Comment && n.data === "" ? /* @__PURE__ */ Ye(n) : n;
  }
}
function Br(e, t = !1) {
  return /* @__PURE__ */ at(e);
}
function Vr(e, t = 1, n = !1) {
  let r = e;
  for (; t--; )
    r = /** @type {TemplateNode} */
    /* @__PURE__ */ Ye(r);
  return r;
}
function Yr(e) {
  e.textContent = "";
}
function qr() {
  return !1;
}
function Hr(e, t, n) {
  return t == null || t === Jt ? (
    /** @type {T extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[T] : Element} */
    n ? document.createElement(e, { is: n }) : document.createElement(e)
  ) : (
    /** @type {T extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[T] : Element} */
    n ? document.createElementNS(t, e, { is: n }) : document.createElementNS(t, e)
  );
}
function qn(e) {
  var t = g;
  if (t === null)
    return v.f |= K, e;
  if ((t.f & he) === 0 && (t.f & ue) === 0)
    throw e;
  F(e, t);
}
function F(e, t) {
  if (e === wt)
    throw e;
  if (!(t !== null && (t.f & k) !== 0)) {
    for (; t !== null; ) {
      if ((t.f & $e) !== 0 && (t.f & (k | Ie)) === 0) {
        if ((t.f & he) === 0)
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
function Hn(e) {
  g === null && (v === null && yn(), wn()), Z && gn();
}
function Un(e, t) {
  var n = t.last;
  n === null ? t.last = t.first = e : (n.next = e, e.prev = n, t.last = e);
}
function q(e, t) {
  var n = g;
  n !== null && (n.f & O) !== 0 && (e |= O);
  var r = {
    ctx: b,
    deps: null,
    nodes: null,
    f: e | w | D,
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
  var s = r;
  if ((e & ue) !== 0)
    me !== null ? me.push(r) : X.ensure().schedule(r);
  else if (t !== null) {
    try {
      ce(r);
    } catch (f) {
      throw j(r), f;
    }
    s.deps === null && s.teardown === null && s.nodes === null && s.first === s.last && // either `null`, or a singular child
    (s.f & _e) === 0 && (s = s.first, (e & N) !== 0 && (e & Te) !== 0 && s !== null && (s.f |= Te));
  }
  if (s !== null && (s.parent = n, n !== null && Un(s, n), v !== null && (v.f & S) !== 0 && (e & W) === 0)) {
    var i = (
      /** @type {Derived} */
      v
    );
    (i.effects ??= []).push(s);
  }
  return r;
}
function ft() {
  return v !== null && !M;
}
function Gn(e) {
  const t = q(Be, null);
  return y(t, E), t.teardown = e, t;
}
function Ur(e) {
  Hn();
  var t = (
    /** @type {Effect} */
    g.f
  ), n = !v && (t & V) !== 0 && b !== null && !b.i;
  if (n) {
    var r = (
      /** @type {ComponentContext} */
      b
    );
    (r.e ??= []).push(e);
  } else
    return Bt(e);
}
function Bt(e) {
  return q(ue | un, e);
}
function zn(e) {
  X.ensure();
  const t = q(W | _e, e);
  return (n = {}) => new Promise((r) => {
    n.outro ? Ne(t, () => {
      j(t), r(void 0);
    }) : (j(t), r(void 0));
  });
}
function Gr(e) {
  return q(ue, e);
}
function $n(e) {
  return q(ae | _e, e);
}
function Kn(e, t = 0) {
  return q(Be | t, e);
}
function zr(e, t = [], n = [], r = []) {
  On(r, t, n, (s) => {
    q(Be, () => {
      e(...s.map(re));
    });
  });
}
function Wn(e, t = 0) {
  var n = q(N | t, e);
  return n;
}
function $r(e, t = 0) {
  var n = q(et | t, e);
  return n;
}
function J(e) {
  return q(V | _e, e);
}
function Vt(e) {
  var t = e.teardown;
  if (t !== null) {
    const n = Z, r = v;
    vt(!0), P(null);
    try {
      t.call(null);
    } catch (s) {
      F(s, e.parent);
    } finally {
      vt(n), P(r);
    }
  }
}
function ut(e, t = !1) {
  var n = e.first;
  for (e.first = e.last = null; n !== null; ) {
    const s = n.ac;
    s !== null && Ae(() => {
      s.abort(ke);
    });
    var r = n.next;
    (n.f & W) !== 0 ? n.parent = null : j(n, t), n = r;
  }
}
function Xn(e) {
  for (var t = e.first; t !== null; ) {
    var n = t.next;
    (t.f & V) === 0 && j(t), t = n;
  }
}
function j(e, t = !0) {
  var n = !1;
  (t || (e.f & fn) !== 0) && e.nodes !== null && e.nodes.end !== null && (Zn(
    e.nodes.start,
    /** @type {TemplateNode} */
    e.nodes.end
  ), n = !0), e.f |= Ie, ut(e, t && !n), Se(e, 0);
  var r = e.nodes && e.nodes.t;
  if (r !== null)
    for (const i of r)
      i.stop();
  Vt(e), e.f ^= Ie, e.f |= k;
  var s = e.parent;
  s !== null && s.first !== null && Yt(e), e.next = e.prev = e.teardown = e.ctx = e.deps = e.fn = e.nodes = e.ac = e.b = null;
}
function Zn(e, t) {
  for (; e !== null; ) {
    var n = e === t ? null : /* @__PURE__ */ Ye(e);
    e.remove(), e = n;
  }
}
function Yt(e) {
  var t = e.parent, n = e.prev, r = e.next;
  n !== null && (n.next = r), r !== null && (r.prev = n), t !== null && (t.first === e && (t.first = r), t.last === e && (t.last = n));
}
function Ne(e, t, n = !0) {
  var r = [];
  e.f |= tt, qt(e, r, !0);
  var s = () => {
    n && j(e), t && t();
  }, i = r.length;
  if (i > 0) {
    var f = () => --i || s();
    for (var l of r)
      l.out(f);
  } else
    s();
}
function qt(e, t, n) {
  if ((e.f & O) === 0) {
    e.f ^= O;
    var r = e.nodes && e.nodes.t;
    if (r !== null)
      for (const l of r)
        (l.is_global || n) && t.push(l);
    for (var s = e.first; s !== null; ) {
      var i = s.next;
      if ((s.f & W) === 0) {
        var f = (s.f & Te) !== 0 || // If this is a branch effect without a block effect parent,
        // it means the parent block effect was pruned. In that case,
        // transparency information was transferred to the branch effect.
        (s.f & V) !== 0 && (e.f & N) !== 0;
        qt(s, t, f ? n : !1);
      }
      s = i;
    }
  }
}
function Kr(e) {
  e.f &= ~tt, Ht(e, !0);
}
function Ht(e, t) {
  if ((e.f & tt) === 0 && (e.f & O) !== 0) {
    e.f ^= O, (e.f & E) === 0 && (y(e, w), X.ensure().schedule(e));
    for (var n = e.first; n !== null; ) {
      var r = n.next, s = (n.f & Te) !== 0 || (n.f & V) !== 0;
      Ht(n, s ? t : !1), n = r;
    }
    var i = e.nodes && e.nodes.t;
    if (i !== null)
      for (const f of i)
        (f.is_global || t) && f.in();
  }
}
function Jn(e, t) {
  if (e.nodes)
    for (var n = e.nodes.start, r = e.nodes.end; n !== null; ) {
      var s = n === r ? null : /* @__PURE__ */ Ye(n);
      t.append(n), n = s;
    }
}
let Z = !1;
function vt(e) {
  Z = e;
}
let v = null, M = !1;
function P(e) {
  v = e;
}
let g = null;
function Y(e) {
  g = e;
}
let B = null;
function Ut(e) {
  v !== null && ((v.f & De) !== 0 || (v.f & S) !== 0) && (B ??= /* @__PURE__ */ new Set()).add(e);
}
let x = null, A = 0, C = null;
function Qn(e) {
  C = e;
}
let Gt = 1, ne = 0, se = ne;
function pt(e) {
  se = e;
}
function zt() {
  return ++Gt;
}
function Ce(e) {
  var t = e.f;
  if ((t & w) !== 0)
    return !0;
  if ((t & R) !== 0) {
    for (var n = (
      /** @type {Value[]} */
      e.deps
    ), r = n.length, s = 0; s < r; s++) {
      var i = n[s];
      if (Ce(
        /** @type {Derived} */
        i
      ) && Ct(
        /** @type {Derived} */
        i
      ), i.wv > e.wv)
        return !0;
    }
    (t & D) !== 0 && // During time traveling we don't want to reset the status so that
    // traversal of the graph in the other batches still happens
    I === null && y(e, E);
  }
  return !1;
}
function $t(e, t, n = !0) {
  var r = e.reactions;
  if (r !== null && !(B !== null && B.has(e)))
    for (var s = 0; s < r.length; s++) {
      var i = r[s];
      (i.f & S) !== 0 ? $t(
        /** @type {Derived} */
        i,
        t,
        !1
      ) : t === i && (n ? y(i, w) : (i.f & E) !== 0 && y(i, R), lt(
        /** @type {Effect} */
        i
      ));
    }
}
function Kt(e) {
  var t = x, n = A, r = C, s = v, i = B, f = b, l = M, a = se, u = e.f;
  x = /** @type {null | Value[]} */
  null, A = 0, C = null, v = (u & (V | W)) === 0 ? e : null, B = null, oe(e.ctx), M = !1, se = ++ne, e.ac !== null && (Ae(() => {
    e.ac.abort(ke);
  }), e.ac = null);
  try {
    e.f |= De;
    var _ = (
      /** @type {Function} */
      e.fn
    ), o = _();
    e.f |= he;
    var h = gt(e);
    if (xe() && C !== null && !M && h !== null && (e.f & (S | R | w)) === 0)
      for (var c = 0; c < /** @type {Source[]} */
      C.length; c++)
        $t(
          C[c],
          /** @type {Effect} */
          e
        );
    if (s !== null && s !== e) {
      if (ne++, s.deps !== null)
        for (let d = 0; d < n; d += 1)
          s.deps[d].rv = ne;
      if (t !== null)
        for (const d of t)
          d.rv = ne;
      C !== null && (r === null ? r = C : r.push(.../** @type {Source[]} */
      C));
    }
    return (e.f & K) !== 0 && (e.f ^= K), o;
  } catch (d) {
    return gt(e), qn(d);
  } finally {
    e.f ^= De, x = t, A = n, C = r, v = s, B = i, oe(f), M = l, se = a;
  }
}
function gt(e) {
  var t = e.deps, n = p?.is_fork;
  if (x !== null) {
    var r;
    if (n || Se(e, A), t !== null && A > 0)
      for (t.length = A + x.length, r = 0; r < x.length; r++)
        t[A + r] = x[r];
    else
      e.deps = t = x;
    if (ft() && (e.f & D) !== 0)
      for (r = A; r < t.length; r++)
        (t[r].reactions ??= []).push(e);
  } else !n && t !== null && A < t.length && (Se(e, A), t.length = A);
  return t;
}
function er(e, t) {
  let n = t.reactions;
  if (n !== null) {
    var r = en.call(n, e);
    if (r !== -1) {
      var s = n.length - 1;
      s === 0 ? n = t.reactions = null : (n[r] = n[s], n.pop());
    }
  }
  if (n === null && (t.f & S) !== 0 && // Destroying a child effect while updating a parent effect can cause a dependency to appear
  // to be unused, when in fact it is used by the currently-updating parent. Checking `new_deps`
  // allows us to skip the expensive work of disconnecting and immediately reconnecting it
  (x === null || !be.call(x, t))) {
    var i = (
      /** @type {Derived} */
      t
    );
    (i.f & D) !== 0 && (i.f ^= D), i.v !== m && nt(i), i.ac !== null && Ae(() => {
      i.ac.abort(ke), i.ac = null, y(i, w);
    }), Dn(i), Se(i, 0);
  }
}
function Se(e, t) {
  var n = e.deps;
  if (n !== null)
    for (var r = t; r < n.length; r++)
      er(e, n[r]);
}
function ce(e) {
  var t = e.f;
  if ((t & k) === 0) {
    y(e, E);
    var n = g;
    g = e;
    try {
      (t & (N | et)) !== 0 ? Xn(e) : ut(e), Vt(e);
      var r = Kt(e);
      e.teardown = typeof r == "function" ? r : null, e.wv = Gt;
      var s;
      yt && kn && (e.f & w) !== 0 && e.deps;
    } finally {
      g = n;
    }
  }
}
async function Wr() {
  await Promise.resolve(), Ln();
}
function re(e) {
  var t = e.f, n = (t & S) !== 0;
  if (v !== null && !M) {
    var r = g !== null && (g.f & k) !== 0;
    if (!r && (B === null || !B.has(e))) {
      var s = v.deps;
      if ((v.f & De) !== 0)
        e.rv < ne && (e.rv = ne, x === null && s !== null && s[A] === e ? A++ : x === null ? x = [e] : x.push(e));
      else {
        v.deps ??= [], be.call(v.deps, e) || v.deps.push(e);
        var i = e.reactions;
        i === null ? e.reactions = [v] : be.call(i, v) || i.push(v);
      }
    }
  }
  if (Z && L.has(e))
    return L.get(e);
  if (n) {
    var f = (
      /** @type {Derived} */
      e
    );
    if (Z) {
      var l = f.v;
      return ((f.f & E) === 0 && f.reactions !== null || Xt(f)) && (l = st(f)), L.set(f, l), l;
    }
    var a = (f.f & D) === 0 && !M && v !== null && (v.f & D) !== 0, u = (f.f & he) === 0;
    Ce(f) && (a && (f.f |= D), Ct(f)), a && !u && (Ot(f), Wt(f));
  }
  if (I?.has(e))
    return I.get(e);
  if ((e.f & K) !== 0)
    throw e.v;
  return e.v;
}
function Wt(e) {
  if (e.f |= D, e.deps !== null)
    for (const n of e.deps) {
      var t = n.reactions;
      t === null ? n.reactions = [e] : be.call(t, e) || t.push(e), (n.f & S) !== 0 && (n.f & D) === 0 && (Ot(
        /** @type {Derived} */
        n
      ), Wt(
        /** @type {Derived} */
        n
      ));
    }
}
function Xt(e) {
  if (e.v === m) return !0;
  if (e.deps === null) return !1;
  for (const t of e.deps)
    if (L.has(t) || (t.f & S) !== 0 && Xt(
      /** @type {Derived} */
      t
    ))
      return !0;
  return !1;
}
function tr(e) {
  var t = M;
  try {
    return M = !0, e();
  } finally {
    M = t;
  }
}
const pe = /* @__PURE__ */ Symbol("events"), Zt = /* @__PURE__ */ new Set(), Ze = /* @__PURE__ */ new Set();
function Xr(e, t, n, r = {}) {
  function s(i) {
    if (r.capture || Je.call(t, i), !i.cancelBubble)
      return Ae(() => n?.call(this, i));
  }
  return e.startsWith("pointer") || e.startsWith("touch") || e === "wheel" ? (s.__removed = !1, $(() => {
    s.__removed || t.addEventListener(e, s, r);
  })) : t.addEventListener(e, s, r), s;
}
function Zr(e, t, n) {
  (t[pe] ??= {})[e] = n;
}
function Jr(e) {
  for (var t = 0; t < e.length; t++)
    Zt.add(e[t]);
  for (var n of Ze)
    n(e);
}
let Ge = null, ze = !1;
function Je(e) {
  var t = this, n = (
    /** @type {Node} */
    t.ownerDocument
  ), r = e.type, s = e.composedPath?.() || [], i = (
    /** @type {null | Element} */
    s[0] || e.target
  );
  Ge = e, ze || (ze = !0, setTimeout(() => {
    ze = !1, Ge = null;
  }));
  var f = 0, l = Ge === e && e[pe];
  if (l) {
    var a = s.indexOf(l);
    if (a !== -1 && (t === document || t === /** @type {any} */
    window)) {
      e[pe] = t;
      return;
    }
    var u = s.indexOf(t);
    if (u === -1)
      return;
    a <= u && (f = a);
  }
  if (i = /** @type {Element} */
  s[f] || e.target, i !== t) {
    mt(e, "currentTarget", {
      configurable: !0,
      get() {
        return i || n;
      }
    });
    var _ = v, o = g;
    P(null), Y(null);
    try {
      for (var h, c = []; i !== null && i !== t; ) {
        try {
          var d = i[pe]?.[r];
          d != null && (!/** @type {any} */
          i.disabled || // DOM could've been updated already by the time this is reached, so we check this as well
          // -> the target could not have been disabled because it emits the event in the first place
          e.target === i) && d.call(i, e);
        } catch (T) {
          h ? c.push(T) : h = T;
        }
        if (e.cancelBubble) break;
        f++, i = f < s.length ? (
          /** @type {Element} */
          s[f]
        ) : null;
      }
      if (h) {
        for (let T of c)
          queueMicrotask(() => {
            throw T;
          });
        throw h;
      }
    } finally {
      e[pe] = t, delete e.currentTarget, P(_), Y(o);
    }
  }
}
function Qr(e) {
  return e.endsWith("capture") && e !== "gotpointercapture" && e !== "lostpointercapture";
}
const nr = [
  "beforeinput",
  "click",
  "change",
  "dblclick",
  "contextmenu",
  "focusin",
  "focusout",
  "input",
  "keydown",
  "keyup",
  "mousedown",
  "mousemove",
  "mouseout",
  "mouseover",
  "mouseup",
  "pointerdown",
  "pointermove",
  "pointerout",
  "pointerover",
  "pointerup",
  "touchend",
  "touchmove",
  "touchstart"
];
function es(e) {
  return nr.includes(e);
}
const rr = {
  // no `class: 'className'` because we handle that separately
  formnovalidate: "formNoValidate",
  ismap: "isMap",
  nomodule: "noModule",
  playsinline: "playsInline",
  readonly: "readOnly",
  defaultvalue: "defaultValue",
  defaultchecked: "defaultChecked",
  srcobject: "srcObject",
  novalidate: "noValidate",
  allowfullscreen: "allowFullscreen",
  disablepictureinpicture: "disablePictureInPicture",
  disableremoteplayback: "disableRemotePlayback"
};
function ts(e) {
  return e = e.toLowerCase(), rr[e] ?? e;
}
const sr = ["touchstart", "touchmove"];
function ir(e) {
  return sr.includes(e);
}
function lr(e) {
  let t = 0, n = Re(0), r;
  return () => {
    ft() && (re(n), Kn(() => (t === 0 && (r = tr(() => e(() => Ee(n)))), t += 1, () => {
      $(() => {
        t -= 1, t === 0 && (r?.(), r = void 0, Ee(n));
      });
    })));
  };
}
var ar = Te | _e;
function fr(e, t, n, r) {
  new ur(e, t, n, r);
}
class ur {
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
  #i;
  /** @type {TemplateNode | null} */
  #p = null;
  /** @type {BoundaryProps} */
  #l;
  /** @type {((anchor: Node) => void)} */
  #a;
  /** @type {Effect} */
  #t;
  /** @type {Effect | null} */
  #n = null;
  /** @type {Effect | null} */
  #r = null;
  /** @type {Effect | null} */
  #e = null;
  /** @type {DocumentFragment | null} */
  #s = null;
  #h = 0;
  #f = 0;
  #_ = !1;
  /** @type {Map<Effect, number>} */
  #g = /* @__PURE__ */ new Map();
  /**
   * A source containing the number of pending async deriveds/expressions.
   * Only created if `$effect.pending()` is used inside the boundary,
   * otherwise updating the source results in needless `Batch.ensure()`
   * calls followed by no-op flushes
   * @type {Source<number> | null}
   */
  #u = null;
  #d = lr(() => (this.#u = Re(this.#h), () => {
    this.#u = null;
  }));
  /**
   * @param {TemplateNode} node
   * @param {BoundaryProps} props
   * @param {((anchor: Node) => void)} children
   * @param {((error: unknown) => unknown) | undefined} [transform_error]
   */
  constructor(t, n, r, s) {
    this.#i = t, this.#l = n, this.#a = (i) => {
      var f = (
        /** @type {Effect} */
        g
      );
      f.b = this, f.f |= $e, r(i);
    }, this.parent = /** @type {Effect} */
    g.b, this.transform_error = s ?? this.parent?.transform_error ?? ((i) => i), this.#t = Wn(() => {
      this.#m();
    }, ar);
  }
  #y() {
    try {
      this.#n = J(() => this.#a(this.#i));
    } catch (t) {
      this.error(t);
    }
  }
  /**
   * @param {unknown} error The deserialized error from the server's hydration comment
   */
  #b(t) {
    const n = this.#l.failed, { reset: r, invoke_onerror: s } = this.#w(t);
    $(s), n && (this.#e = J(() => {
      n(
        this.#i,
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
  #w(t) {
    var n = !1, r = !1;
    const s = () => {
      if (!this.#o()) {
        if (n) {
          dn();
          return;
        }
        n = !0, r && Sn(), this.#e !== null && Ne(this.#e, () => {
          this.#e = null;
        }), this.#E(() => {
          this.#m();
        });
      }
    };
    return { reset: s, invoke_onerror: () => {
      if (!this.#o())
        try {
          r = !0, this.#l.onerror?.(t, s), r = !1;
        } catch (f) {
          F(f, this.#t && this.#t.parent);
        }
    } };
  }
  #o() {
    return (this.#t.f & (k | Ie)) !== 0;
  }
  #v() {
    const t = this.#l.pending;
    t && (this.is_pending = !0, this.#r = J(() => t(this.#i)), $(() => {
      if (!this.#o()) {
        var n = this.#s = document.createDocumentFragment(), r = jt(), s = !1;
        if (n.append(r), this.#n = this.#E(() => {
          try {
            return J(() => this.#a(r));
          } catch (i) {
            try {
              this.error(i), s = !0;
            } catch (f) {
              F(f, this.#t.parent);
            }
            return null;
          }
        }), this.#n === null) {
          this.#s = null, s && this.#c(
            /** @type {Batch} */
            p
          );
          return;
        }
        this.#f === 0 && (this.#i.before(n), this.#s = null, Ne(
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
      if (this.is_pending = this.has_pending_snippet(), this.#f = 0, this.#h = 0, this.#n = J(() => {
        this.#a(this.#i);
      }), this.#f > 0) {
        var t = this.#s = document.createDocumentFragment();
        Jn(this.#n, t);
        const n = (
          /** @type {(anchor: Node) => void} */
          this.#l.pending
        );
        this.#r = J(() => n(this.#i));
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
    At(t, this.#g);
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
  #E(t) {
    var n = g, r = v, s = b;
    Y(this.#t), P(this.#t), oe(this.#t.ctx);
    try {
      return X.ensure(), t();
    } finally {
      Y(n), P(r), oe(s);
    }
  }
  /**
   * Updates the pending count associated with the currently visible pending snippet,
   * if any, such that we can replace the snippet with content once work is done
   * @param {1 | -1} d
   * @param {Batch} batch
   */
  #T(t, n) {
    if (!this.has_pending_snippet()) {
      this.parent && this.parent.#T(t, n);
      return;
    }
    this.#f += t, this.#f === 0 && (this.#c(n), this.#r && Ne(this.#r, () => {
      this.#r = null;
    }), this.#s && (this.#i.before(this.#s), this.#s = null));
  }
  /**
   * Update the source that powers `$effect.pending()` inside this boundary,
   * and controls when the current `pending` snippet (if any) is removed.
   * Do not call from inside the class
   * @param {1 | -1} d
   * @param {Batch} batch
   */
  update_pending_count(t, n) {
    this.#T(t, n), this.#h += t, !(!this.#u || this.#_) && (this.#_ = !0, $(() => {
      this.#_ = !1, this.#u && je(this.#u, this.#h);
    }));
  }
  get_effect_pending() {
    return this.#d(), re(
      /** @type {Source<number>} */
      this.#u
    );
  }
  /** @param {unknown} error */
  error(t) {
    if (t === wt || !this.#l.onerror && !this.#l.failed)
      throw t;
    p?.is_fork ? (this.#n && p.skip_effect(this.#n), this.#r && p.skip_effect(this.#r), this.#e && p.skip_effect(this.#e), p.oncommit(() => {
      this.#o() || this.#S(t);
    })) : this.#S(t);
  }
  /**
   * @param {unknown} error
   */
  #S(t) {
    this.#n && (j(this.#n), this.#n = null), this.#r && (j(this.#r), this.#r = null), this.#e && (j(this.#e), this.#e = null);
    let n = this.#l.failed;
    const r = (s) => {
      if (this.#o()) return;
      const { reset: i, invoke_onerror: f } = this.#w(s);
      f(), n && !this.#o() && (this.#e = this.#E(() => {
        try {
          return J(() => {
            var l = (
              /** @type {Effect} */
              g
            );
            l.b = this, l.f |= $e, n(
              this.#i,
              () => s,
              () => i
            );
          });
        } catch (l) {
          return F(
            l,
            /** @type {Effect} */
            this.#t.parent
          ), null;
        }
      }));
    };
    $(() => {
      if (!this.#o()) {
        var s;
        try {
          s = this.transform_error(t);
        } catch (i) {
          F(i, this.#t && this.#t.parent);
          return;
        }
        s !== null && typeof s == "object" && typeof /** @type {any} */
        s.then == "function" ? s.then(
          r,
          /** @param {unknown} e */
          (i) => F(i, this.#t && this.#t.parent)
        ) : r(s);
      }
    });
  }
}
function ns(e, t) {
  var n = t == null ? "" : typeof t == "object" ? `${t}` : t;
  n !== /** @type {any} */
  (e[Ke] ??= e.nodeValue) && (e[Ke] = n, e.nodeValue = `${n}`);
}
function rs(e, t) {
  return or(e, t);
}
const Oe = /* @__PURE__ */ new Map();
function or(e, { target: t, anchor: n, props: r = {}, events: s, context: i, intro: f = !0, transformError: l }) {
  Yn();
  var a = void 0, u = zn(() => {
    var _ = n ?? t.appendChild(jt());
    fr(
      /** @type {TemplateNode} */
      _,
      {
        pending: () => {
        }
      },
      (c) => {
        xn({});
        var d = (
          /** @type {ComponentContext} */
          b
        );
        i && (d.c = i), s && (r.$$events = s), a = e(c, r) || kt(), An();
      },
      l
    );
    var o = /* @__PURE__ */ new Set(), h = (c) => {
      for (var d = 0; d < c.length; d++) {
        var T = c[d];
        if (!o.has(T)) {
          o.add(T);
          var G = ir(T);
          for (const qe of [t, document]) {
            var H = Oe.get(qe);
            H === void 0 && (H = /* @__PURE__ */ new Map(), Oe.set(qe, H));
            var ie = H.get(T);
            ie === void 0 ? (qe.addEventListener(T, Je, { passive: G }), H.set(T, 1)) : H.set(T, ie + 1);
          }
        }
      }
    };
    return h(tn(Zt)), Ze.add(h), () => {
      for (var c of o)
        for (const G of [t, document]) {
          var d = (
            /** @type {Map<string, number>} */
            Oe.get(G)
          ), T = (
            /** @type {number} */
            d.get(c)
          );
          --T == 0 ? (G.removeEventListener(c, Je), d.delete(c), d.size === 0 && Oe.delete(G)) : d.set(c, T);
        }
      Ze.delete(h), _ !== n && _.parentNode?.removeChild(_);
    };
  });
  return Qe.set(a, u), a;
}
let Qe = /* @__PURE__ */ new WeakMap();
function ss(e, t) {
  const n = Qe.get(e);
  return n ? (Qe.delete(e), n(t)) : Promise.resolve();
}
export {
  br as $,
  tn as A,
  hr as B,
  Re as C,
  cr as D,
  Te as E,
  _r as F,
  Dr as G,
  kr as H,
  k as I,
  O as J,
  V as K,
  Yr as L,
  Ye as M,
  Gn as N,
  Er as O,
  $r as P,
  Gr as Q,
  cn as R,
  hn as S,
  yr as T,
  Or as U,
  Fr as V,
  on as W,
  Jt as X,
  Ar as Y,
  Tr as Z,
  On as _,
  jt as a,
  Cr as a0,
  es as a1,
  Qr as a2,
  Zr as a3,
  Jr as a4,
  Xr as a5,
  ts as a6,
  m as a7,
  kt as a8,
  Kn as a9,
  Mr as aA,
  ns as aB,
  Lr as aC,
  Br as aD,
  Ir as aE,
  Wr as aF,
  rs as aG,
  ss as aH,
  Ie as aa,
  we as ab,
  ln as ac,
  vn as ad,
  Q as ae,
  mt as af,
  ge as ag,
  Nr as ah,
  pr as ai,
  ve as aj,
  gr as ak,
  vr as al,
  dr as am,
  rt as an,
  wr as ao,
  Z as ap,
  xr as aq,
  Sr as ar,
  ft as as,
  lr as at,
  z as au,
  jr as av,
  An as aw,
  xn as ax,
  Vr as ay,
  zr as az,
  g as b,
  Hr as c,
  at as d,
  Vn as e,
  mr as f,
  sn as g,
  j as h,
  Qt as i,
  J as j,
  p as k,
  Wn as l,
  Jn as m,
  b as n,
  nn as o,
  Ne as p,
  $ as q,
  Kr as r,
  qr as s,
  Ve as t,
  Ur as u,
  tr as v,
  re as w,
  je as x,
  Pr as y,
  In as z
};
