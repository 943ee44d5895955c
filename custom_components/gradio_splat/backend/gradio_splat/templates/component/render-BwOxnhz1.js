const vr = 1, pr = 2, gr = 4, yr = 8, wr = 16, Er = 1, mr = 2, br = 4, Tr = 8, Sr = 16, kr = 1, Ar = 2, Et = {}, E = /* @__PURE__ */ Symbol("uninitialized"), tn = "http://www.w3.org/1999/xhtml", xr = "http://www.w3.org/2000/svg", Rr = "@attach", mt = !1;
var nn = Array.isArray, rn = Array.prototype.indexOf, Te = Array.prototype.includes, sn = Array.from, bt = Object.defineProperty, ye = Object.getOwnPropertyDescriptor, Cr = Object.getOwnPropertyDescriptors, ln = Object.prototype, an = Array.prototype, fn = Object.getPrototypeOf, ct = Object.isExtensible;
function Or(e) {
  return typeof e == "function";
}
const un = () => {
};
function on(e) {
  for (var t = 0; t < e.length; t++)
    e[t]();
}
function Tt() {
  var e, t, n = new Promise((r, s) => {
    e = r, t = s;
  });
  return { promise: n, resolve: e, reject: t };
}
const S = 2, ue = 4, Be = 8, tt = 1 << 24, N = 16, B = 32, W = 64, Ke = 128, nt = 256, D = 512, m = 1024, y = 2048, R = 4096, O = 8192, k = 16384, he = 32768, Me = 1 << 25, Se = 65536, De = 1 << 17, cn = 1 << 18, _e = 1 << 19, hn = 1 << 20, Pr = 1 << 25, Le = 1 << 21, ae = 1 << 22, K = 1 << 23, we = /* @__PURE__ */ Symbol("$state"), St = /* @__PURE__ */ Symbol("component"), Nr = /* @__PURE__ */ Symbol("legacy props"), Ir = /* @__PURE__ */ Symbol(""), _n = /* @__PURE__ */ Symbol("attributes"), dn = /* @__PURE__ */ Symbol("class"), vn = /* @__PURE__ */ Symbol("style"), We = /* @__PURE__ */ Symbol("text"), Pe = /* @__PURE__ */ Symbol("form reset"), Ae = new class extends Error {
  name = "StaleReactionError";
  message = "The reaction that called `getAbortSignal()` was re-run or destroyed";
}(), Dr = (
  // We gotta write it like this because after downleveling the pure comment may end up in the wrong location
  !!globalThis.document?.contentType && /* @__PURE__ */ globalThis.document.contentType.includes("xml")
);
function pn() {
  console.warn("https://svelte.dev/e/derived_inert");
}
function Lr() {
  console.warn("https://svelte.dev/e/select_multiple_invalid_value");
}
function gn() {
  console.warn("https://svelte.dev/e/svelte_boundary_reset_noop");
}
function kt(e) {
  return e === this.v;
}
function yn(e, t) {
  return e != e ? t == t : e !== t || e !== null && typeof e == "object" || typeof e == "function";
}
function At(e) {
  return !yn(e, this.v);
}
function wn() {
  throw new Error("https://svelte.dev/e/async_derived_orphan");
}
function Fr(e, t, n) {
  throw new Error("https://svelte.dev/e/each_key_duplicate");
}
function En(e) {
  throw new Error("https://svelte.dev/e/effect_in_teardown");
}
function mn() {
  throw new Error("https://svelte.dev/e/effect_in_unowned_derived");
}
function bn(e) {
  throw new Error("https://svelte.dev/e/effect_orphan");
}
function Tn() {
  throw new Error("https://svelte.dev/e/effect_update_depth_exceeded");
}
function jr(e) {
  throw new Error("https://svelte.dev/e/props_invalid_value");
}
function Sn() {
  throw new Error("https://svelte.dev/e/state_descriptors_fixed");
}
function kn() {
  throw new Error("https://svelte.dev/e/state_prototype_fixed");
}
function An() {
  throw new Error("https://svelte.dev/e/state_unsafe_mutation");
}
function xn() {
  throw new Error("https://svelte.dev/e/svelte_boundary_reset_onerror");
}
let Ve = !1, Rn = !1;
function Hr() {
  Ve = !0;
}
let b = null;
function oe(e) {
  b = e;
}
function Cn(e, t = !1, n) {
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
function On(e) {
  var t = (
    /** @type {ComponentContext} */
    b
  ), n = t.e;
  if (n !== null) {
    t.e = null;
    for (var r of n)
      Yt(r);
  }
  return t.i = !0, b = t.p, xt(e);
}
function xt(e = {}) {
  return bt(e, St, { value: !0 }), e;
}
function xe() {
  return !Ve || b !== null && b.l === null;
}
let te = [];
function Rt() {
  var e = te;
  te = [], on(e);
}
function G(e) {
  if (te.length === 0 && !Ee) {
    var t = te;
    queueMicrotask(() => {
      t === te && Rt();
    });
  }
  te.push(e);
}
function Pn() {
  for (; te.length > 0; )
    Rt();
}
const Nn = -7169;
function w(e, t) {
  e.f = e.f & Nn | t;
}
function rt(e) {
  (e.f & D) !== 0 || e.deps === null ? w(e, m) : w(e, R);
}
function Ct(e, t) {
  (e.f & y) !== 0 ? t.set(e, y) : (e.f & R) !== 0 && t.get(e) !== y && t.set(e, R), w(e, m);
}
function Br(e, t) {
  if (t) {
    const n = document.body;
    e.autofocus = !0, G(() => {
      document.activeElement === n && e.focus();
    });
  }
}
let ht = !1;
function In() {
  ht || (ht = !0, document.addEventListener(
    "reset",
    (e) => {
      Promise.resolve().then(() => {
        if (!e.defaultPrevented)
          for (
            const t of
            /**@type {HTMLFormElement} */
            e.target.elements
          )
            t[Pe]?.();
      });
    },
    // In the capture phase to guarantee we get noticed of it (no possibility of stopPropagation)
    { capture: !0 }
  ));
}
function de(e) {
  var t = v, n = g;
  P(null), V(null);
  try {
    return e();
  } finally {
    P(t), V(n);
  }
}
function Vr(e, t, n, r = n) {
  e.addEventListener(t, () => de(n));
  const s = (
    /** @type {any} */
    e[Pe]
  );
  s ? e[Pe] = () => {
    s(), r(!0);
  } : e[Pe] = () => r(!0), In();
}
function Mn(e, t, n, r) {
  const s = xe() ? st : Fn;
  var i = e.filter((c) => !c.settled), a = t.map(s);
  if (n.length === 0 && i.length === 0) {
    r(a);
    return;
  }
  var l = (
    /** @type {Effect} */
    g
  ), f = Dn(), u = i.length === 1 ? i[0].promise : i.length > 1 ? Promise.all(i.map((c) => c.promise)) : null;
  function _(c) {
    if ((l.f & k) === 0) {
      f();
      try {
        r([...a, ...c]);
      } catch (d) {
        L(d, l);
      }
      Fe();
    }
  }
  var o = Ot();
  if (n.length === 0) {
    u.then(() => _([])).finally(o);
    return;
  }
  function h() {
    Promise.all(n.map((c) => /* @__PURE__ */ Ln(c))).then(_).catch((c) => L(c, l)).finally(o);
  }
  u ? u.then(() => {
    if ((l.f & k) !== 0) {
      o();
      return;
    }
    f(), h(), Fe();
  }) : h();
}
function Dn() {
  var e = (
    /** @type {Effect} */
    g
  ), t = v, n = b, r = (
    /** @type {Batch} */
    p
  );
  return function(i = !0) {
    V(e), P(t), oe(n), i && (e.f & k) === 0 && (r?.activate(), r?.apply());
  };
}
function Fe(e = !0) {
  V(null), P(null), oe(null), e && p?.deactivate();
}
function Ot() {
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
function st(e) {
  var t = S | y;
  return g !== null && (g.f |= _e), {
    ctx: b,
    deps: null,
    effects: null,
    equals: kt,
    f: t,
    fn: e,
    reactions: null,
    rv: 0,
    v: (
      /** @type {V} */
      E
    ),
    wv: 0,
    parent: g,
    ac: null
  };
}
const ve = /* @__PURE__ */ Symbol("obsolete");
// @__NO_SIDE_EFFECTS__
function Ln(e, t, n) {
  let r = (
    /** @type {Effect | null} */
    g
  );
  r === null && wn();
  var s = (
    /** @type {Promise<V>} */
    /** @type {unknown} */
    void 0
  ), i = Re(
    /** @type {V} */
    E
  ), a = !v, l = /* @__PURE__ */ new Set();
  return Xn(() => {
    var f = (
      /** @type {Effect} */
      g
    ), u = Tt();
    s = u.promise;
    try {
      Promise.resolve(e()).then(u.resolve, (c) => {
        c !== Ae && u.reject(c);
      }).finally(Fe);
    } catch (c) {
      u.reject(c), Fe();
    }
    var _ = (
      /** @type {Batch} */
      p
    );
    if (a) {
      if ((f.f & he) !== 0)
        var o = Ot();
      if (
        // boundary can be null if the async derived is inside an $effect.root not connected to the component render tree
        r.b?.is_rendered()
      )
        _.async_deriveds.get(f)?.reject(ve);
      else
        for (const c of l.values())
          c.reject(ve);
      l.add(u), _.async_deriveds.set(f, u);
    }
    const h = (c, d = void 0) => {
      o?.(), l.delete(u), d !== ve && (_.activate(), d ? (i.f |= K, He(i, d)) : ((i.f & K) !== 0 && (i.f ^= K), He(i, c)), _.deactivate());
    };
    u.promise.then(h, (c) => h(null, c || "unknown"));
  }), Vt(() => {
    for (const f of l)
      f.reject(ve);
  }), new Promise((f) => {
    function u(_) {
      function o() {
        _ === s ? f(i) : u(s);
      }
      _.then(o, o);
    }
    u(s);
  });
}
// @__NO_SIDE_EFFECTS__
function Yr(e) {
  const t = /* @__PURE__ */ st(e);
  return $t(t), t;
}
// @__NO_SIDE_EFFECTS__
function Fn(e) {
  const t = /* @__PURE__ */ st(e);
  return t.equals = At, t;
}
function jn(e) {
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
function it(e) {
  var t, n = g, r = e.parent;
  if (!Z && r !== null && e.v !== E && // if it was never evaluated before, it's guaranteed to fail downstream, so we try to execute instead
  (r.f & (k | O)) !== 0)
    return pn(), e.v;
  V(r);
  try {
    jn(e), t = Zt(e);
  } finally {
    V(n);
  }
  return t;
}
function Pt(e) {
  var t = it(e);
  if (!e.equals(t) && (e.wv = Wt(), (!p?.is_fork || e.deps === null) && (p !== null ? (p.capture(e, t, !0), fe?.capture(e, t, !0)) : e.v = t, e.deps === null))) {
    w(e, m);
    return;
  }
  Z || (I !== null ? (ut() || p?.is_fork) && I.set(e, t) : rt(e));
}
function Hn(e) {
  if (e.effects !== null)
    for (const t of e.effects)
      (t.teardown || t.ac) && (t.teardown?.(), t.ac !== null && de(() => {
        t.ac.abort(Ae), t.ac = null;
      }), t.fn !== null && (t.teardown = un), ke(t, 0), ot(t));
}
function Nt(e) {
  if (e.effects !== null)
    for (const t of e.effects)
      t.teardown && t.fn !== null && ce(t);
}
let Ue = null, le = null, p = null, fe = null, I = null, Xe = null, Ee = !1, Ge = !1, me = null, Ne = null;
var _t = 0;
let Bn = 1;
class X {
  id = Bn++;
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
    le === null ? Ue = le = this : (le.next = this, this.prev = le), le = this;
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
        w(s, y), n(s);
      for (s of r.m)
        w(s, R), n(s);
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
      if (!((i.f & k) !== 0 || (i.f & (y | R)) === 0)) {
        for (var n = i, r = !1; n.parent !== null; ) {
          n = n.parent;
          var s = n.f;
          if ((s & (W | B)) !== 0) {
            if ((s & m) === 0) {
              r = !0;
              break;
            }
            n.f ^= m;
          }
        }
        r || t.push(n);
      }
    return this.#n = [], t;
  }
  #d() {
    this.started = !0;
    for (const [l, f] of this.#e)
      w(l, f), this.schedule(l);
    this.apply();
    for (var t = me = [], n = [], r = Ne = []; this.#n.length > 0; ) {
      _t++ > 1e3 && (this.#c(), Yn());
      for (const l of this.#u())
        try {
          this.#w(l, t, n);
        } catch (f) {
          throw Dt(l), this.#_() || this.discard(), f;
        }
    }
    if (p = null, r.length > 0) {
      var s = X.ensure();
      for (const l of r)
        s.schedule(l);
    }
    if (me = null, Ne = null, this.#_()) {
      this.#v(n), this.#v(t);
      for (const [l, f] of this.#s)
        Mt(l, f);
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
    this.#i.clear(), fe = this, dt(n), dt(t), fe = null, this.#t?.resolve();
    var a = (
      /** @type {Batch | null} */
      /** @type {unknown} */
      p
    );
    this.#l === 0 && (this.#n.length === 0 || a !== null) && this.#c(), a !== null && (F.clear(), a.#d());
  }
  /**
   * Traverse the effect tree, executing effects or stashing
   * them for later execution as appropriate
   * @param {Effect} root
   * @param {Effect[]} effects
   * @param {Effect[]} render_effects
   */
  #w(t, n, r) {
    t.f ^= m;
    for (var s = t.first; s !== null; ) {
      var i = s.f, a = (i & (B | W)) !== 0, l = a && (i & m) !== 0, f = l || (i & O) !== 0 || this.#s.has(s);
      if (!f && s.fn !== null) {
        a ? s.f ^= m : (i & ue) !== 0 ? n.push(s) : Ce(s) && ((i & N) !== 0 && this.add_dirty_reaction(s, R), ce(s));
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
    for (const [r, s] of t.current)
      !this.previous.has(r) && t.previous.has(r) && this.previous.set(r, t.previous.get(r)), this.current.set(r, s);
    for (const [r, s] of t.async_deriveds) {
      const i = this.async_deriveds.get(r);
      i && s.promise.then(i.resolve).catch(i.reject);
    }
    t.async_deriveds.clear(), this.transfer_reactions(t.#e);
    const n = (r) => {
      var s = r.reactions;
      if (s !== null && !((r.f & S) !== 0 && (r.f & (y | R)) === 0))
        for (const l of s) {
          var i = l.f;
          if ((i & S) !== 0)
            n(
              /** @type {Derived} */
              l
            );
          else {
            var a = (
              /** @type {Effect} */
              l
            );
            i & (ae | N) && !this.async_deriveds.has(a) && (this.#e.delete(a), w(a, y), this.schedule(a));
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
      Ct(t[n], this.#e);
  }
  /**
   * Associate a change to a given source with the current
   * batch, noting its previous and current values
   * @param {Value} source
   * @param {any} value
   * @param {boolean} [is_derived]
   */
  capture(t, n, r = !1) {
    t.v !== E && !this.previous.has(t) && this.previous.set(t, t.v), (t.f & K) === 0 && (this.current.set(t, [n, r]), I?.set(t, n)), this.is_fork || (t.v = n);
  }
  activate() {
    p = this;
  }
  deactivate() {
    p = null, I = null;
  }
  flush() {
    try {
      Ge = !0, p = this, this.#d();
    } finally {
      _t = 0, Xe = null, me = null, Ne = null, Ge = !1, p = null, I = null, F.clear();
    }
  }
  discard() {
    for (const t of this.#p) t(this);
    this.#p.clear();
    for (const t of this.async_deriveds.values())
      t.reject(ve);
    this.#c(), this.#t?.resolve();
  }
  /**
   * @param {Effect} effect
   */
  register_created_effect(t) {
    this.#r.push(t);
  }
  #E() {
    for (let o = Ue; o !== null; o = o.next) {
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
          var a = /* @__PURE__ */ new Set(), l = /* @__PURE__ */ new Map();
          for (var f of n)
            It(f, i, a, l);
          l = /* @__PURE__ */ new Map();
          var u = [...o.current].filter(([h, c]) => {
            const d = this.current.get(h);
            return d ? d[0] !== c[0] || d[1] !== c[1] : !0;
          }).map(([h]) => h);
          if (u.length > 0)
            for (const h of this.#r)
              (h.f & (k | O | De)) === 0 && lt(h, u, l) && ((h.f & (ae | N)) !== 0 ? (w(h, y), o.schedule(h)) : o.add_dirty_reaction(h, y));
          if (o.#n.length > 0 && !o.#f) {
            o.apply();
            for (var _ of o.#u())
              o.#w(_, [], []);
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
    this.#f || (this.#f = !0, G(() => {
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
    (n === y || this.#e.get(t) !== y) && this.#e.set(t, n);
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
    return (this.#t ??= Tt()).promise;
  }
  static ensure() {
    if (p === null) {
      const t = p = new X();
      !Ge && !Ee && G(() => {
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
    if (Xe = t, t.b?.is_pending && (t.f & (ue | Be | tt)) !== 0 && (t.f & he) === 0) {
      t.b.defer_effect(t);
      return;
    }
    this.#n.push(t);
  }
  #c() {
    if (this.linked) {
      var t = this.prev, n = this.next;
      t === null ? Ue = n : t.next = n, n === null ? le = t : n.prev = t, this.linked = !1;
    }
  }
}
function Vn(e) {
  var t = Ee, n = fe;
  fe = null, Ee = !0;
  try {
    for (var r; ; ) {
      if (Pn(), p === null)
        return (
          /** @type {T} */
          r
        );
      p.flush();
    }
  } finally {
    Ee = t, fe = n;
  }
}
function Yn() {
  try {
    Tn();
  } catch (e) {
    L(e, Xe);
  }
}
let U = null;
function dt(e) {
  var t = e.length;
  if (t !== 0) {
    for (var n = 0; n < t; ) {
      var r = e[n++];
      if ((r.f & (k | O)) === 0 && Ce(r) && (U = /* @__PURE__ */ new Set(), ce(r), r.deps === null && r.first === null && r.nodes === null && r.teardown === null && r.ac === null && Ut(r), U?.size > 0)) {
        F.clear();
        for (const s of U) {
          if ((s.f & (k | O)) !== 0) continue;
          const i = [s];
          let a = s.parent;
          for (; a !== null; )
            U.has(a) && (U.delete(a), i.push(a)), a = a.parent;
          for (let l = i.length - 1; l >= 0; l--) {
            const f = i[l];
            (f.f & (k | O)) === 0 && ce(f);
          }
        }
        U.clear();
      }
    }
    U = null;
  }
}
function It(e, t, n, r) {
  if (!n.has(e) && (n.add(e), e.reactions !== null))
    for (const s of e.reactions) {
      const i = s.f;
      (i & S) !== 0 ? It(
        /** @type {Derived} */
        s,
        t,
        n,
        r
      ) : (i & (ae | N)) !== 0 && (i & y) === 0 && lt(s, t, r) && (w(s, y), at(
        /** @type {Effect} */
        s
      ));
    }
}
function lt(e, t, n) {
  const r = n.get(e);
  if (r !== void 0) return r;
  if (e.deps !== null)
    for (const s of e.deps) {
      if (Te.call(t, s))
        return !0;
      if ((s.f & S) !== 0 && lt(
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
function at(e) {
  p.schedule(e);
}
function Mt(e, t) {
  if (!((e.f & B) !== 0 && (e.f & m) !== 0)) {
    (e.f & y) !== 0 ? t.d.push(e) : (e.f & R) !== 0 && t.m.push(e), w(e, m);
    for (var n = e.first; n !== null; )
      Mt(n, t), n = n.next;
  }
}
function Dt(e) {
  w(e, m);
  for (var t = e.first; t !== null; )
    Dt(t), t = t.next;
}
let je = /* @__PURE__ */ new Set();
const F = /* @__PURE__ */ new Map();
let Lt = !1;
function Re(e, t) {
  var n = {
    f: 0,
    v: e,
    reactions: null,
    equals: kt,
    rv: 0,
    wv: 0
  };
  return n;
}
// @__NO_SIDE_EFFECTS__
function $(e, t) {
  const n = Re(e);
  return $t(n), n;
}
// @__NO_SIDE_EFFECTS__
function qr(e, t = !1, n = !0) {
  const r = Re(e);
  return t || (r.equals = At), Ve && n && b !== null && b.l !== null && (b.l.s ??= []).push(r), r;
}
function Q(e, t, n = !1) {
  v !== null && // since we are untracking the function inside `$inspect.with` we need to add this check
  // to ensure we error if state is set inside an inspect effect
  (!M || (v.f & De) !== 0) && xe() && (v.f & (S | N | ae | De)) !== 0 && (H === null || !H.has(e)) && An();
  let r = n ? pe(t) : t;
  return He(e, r, Ne);
}
var ee = null, Ze = 0;
function He(e, t, n = null) {
  if (!e.equals(t)) {
    Z ? F.set(e, t) : F.has(e) || F.set(e, e.v);
    var r = X.ensure();
    if (r.capture(e, t), (e.f & S) !== 0) {
      const s = (
        /** @type {Derived} */
        e
      );
      (e.f & y) !== 0 && it(s), I === null && rt(s);
    }
    e.wv = Wt(), ee = null, Ze = 0, Ft(e, y, n), ee = null, xe() && g !== null && (g.f & m) !== 0 && (g.f & (B | W)) === 0 && (C === null ? nr([e]) : C.push(e)), !r.is_fork && je.size > 0 && !Lt && qn();
  }
  return t;
}
function qn() {
  Lt = !1;
  for (const e of je) {
    (e.f & m) !== 0 && w(e, R);
    let t;
    try {
      t = Ce(e);
    } catch {
      t = !0;
    }
    t && ce(e);
  }
  je.clear();
}
function be(e) {
  Q(e, e.v + 1);
}
function Ft(e, t, n) {
  var r = e.reactions;
  if (r !== null) {
    var s = xe(), i = r.length;
    if (Ze += i, Ze > 1e5 && ee === null && (ee = /* @__PURE__ */ new Set()), ee !== null) {
      if (ee.has(e)) return;
      ee.add(e);
    }
    for (var a = 0; a < i; a++) {
      var l = r[a], f = l.f;
      if (!(!s && l === g)) {
        var u = (f & y) === 0;
        if (u && w(l, t), (f & De) !== 0)
          je.add(
            /** @type {Effect} */
            l
          );
        else if ((f & S) !== 0) {
          var _ = (
            /** @type {Derived} */
            l
          );
          I?.delete(_), Ft(_, R, n);
        } else if (u) {
          var o = (
            /** @type {Effect} */
            l
          );
          (f & N) !== 0 && U !== null && U.add(o), n !== null ? n.push(o) : at(o);
        }
      }
    }
  }
}
function pe(e) {
  if (typeof e != "object" || e === null || we in e || St in e)
    return e;
  const t = fn(e);
  if (t !== ln && t !== an)
    return e;
  var n = /* @__PURE__ */ new Map(), r = nn(e), s = /* @__PURE__ */ $(0), i = se, a = (l) => {
    if (se === i)
      return l();
    var f = v, u = se;
    P(null), yt(i);
    var _ = l();
    return P(f), yt(u), _;
  };
  return r && n.set("length", /* @__PURE__ */ $(
    /** @type {any[]} */
    e.length
  )), new Proxy(
    /** @type {any} */
    e,
    {
      defineProperty(l, f, u) {
        (!("value" in u) || u.configurable === !1 || u.enumerable === !1 || u.writable === !1) && Sn();
        var _ = n.get(f);
        return _ === void 0 ? a(() => {
          var o = /* @__PURE__ */ $(u.value);
          return n.set(f, o), o;
        }) : Q(_, u.value, !0), !0;
      },
      deleteProperty(l, f) {
        var u = n.get(f);
        if (u === void 0) {
          if (f in l) {
            const _ = a(() => /* @__PURE__ */ $(E));
            n.set(f, _), be(s);
          }
        } else
          Q(u, E), be(s);
        return !0;
      },
      get(l, f, u) {
        if (f === we)
          return e;
        var _ = n.get(f), o = f in l;
        if (_ === void 0 && (!o || ye(l, f)?.writable) && (_ = a(() => {
          var c = pe(o ? l[f] : E), d = /* @__PURE__ */ $(c);
          return d;
        }), n.set(f, _)), _ !== void 0) {
          var h = re(_);
          return h === E ? void 0 : h;
        }
        return Reflect.get(l, f, u);
      },
      getOwnPropertyDescriptor(l, f) {
        this.has?.(l, f);
        var u = Reflect.getOwnPropertyDescriptor(l, f), _ = n.get(f);
        if (_ !== void 0) {
          var o = re(_);
          if (o === E)
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
      has(l, f) {
        if (f === we)
          return !0;
        var u = n.get(f), _ = u !== void 0 && u.v !== E || Reflect.has(l, f);
        if (u !== void 0 || (g !== null || v !== null) && (!_ || ye(l, f)?.writable)) {
          u === void 0 && (u = a(() => {
            var h = _ ? pe(l[f]) : E, c = /* @__PURE__ */ $(h);
            return c;
          }), n.set(f, u));
          var o = re(u);
          if (o === E)
            return !1;
        }
        return _;
      },
      set(l, f, u, _) {
        var o = n.get(f), h = f in l;
        if (r && f === "length")
          for (var c = u; c < /** @type {Source<number>} */
          o.v; c += 1) {
            var d = n.get(c + "");
            d !== void 0 ? Q(d, E) : c in l && (d = a(() => /* @__PURE__ */ $(E)), n.set(c + "", d));
          }
        if (o === void 0)
          (!h || ye(l, f)?.writable) && (o = a(() => /* @__PURE__ */ $(void 0)), Q(o, pe(u)), n.set(f, o));
        else {
          h = o.v !== E;
          var T = a(() => pe(u));
          Q(o, T);
        }
        var z = Reflect.getOwnPropertyDescriptor(l, f);
        if (z?.set && z.set.call(_, u), !h) {
          if (r && typeof f == "string") {
            var q = (
              /** @type {Source<number>} */
              n.get("length")
            ), ie = Number(f);
            Number.isInteger(ie) && ie >= q.v && Q(q, ie + 1);
          }
          be(s);
        }
        return !0;
      },
      ownKeys(l) {
        re(s);
        var f = Reflect.ownKeys(l).filter((o) => {
          var h = n.get(o);
          return h === void 0 || h.v !== E;
        });
        for (var [u, _] of n)
          _.v !== E && !(u in l) && f.push(u);
        return f;
      },
      setPrototypeOf() {
        kn();
      }
    }
  );
}
function vt(e) {
  try {
    if (e !== null && typeof e == "object" && we in e)
      return e[we];
  } catch {
  }
  return e;
}
function Ur(e, t) {
  return Object.is(vt(e), vt(t));
}
var pt, Un, jt, Ht;
function Gn() {
  if (pt === void 0) {
    pt = window, Un = /Firefox/.test(navigator.userAgent);
    var e = Element.prototype, t = Node.prototype, n = Text.prototype;
    jt = ye(t, "firstChild").get, Ht = ye(t, "nextSibling").get, ct(e) && (e[dn] = void 0, e[_n] = null, e[vn] = void 0, e.__e = void 0), ct(n) && (n[We] = void 0);
  }
}
function Bt(e = "") {
  return document.createTextNode(e);
}
// @__NO_SIDE_EFFECTS__
function ft(e) {
  return (
    /** @type {TemplateNode | null} */
    jt.call(e)
  );
}
// @__NO_SIDE_EFFECTS__
function Ye(e) {
  return (
    /** @type {TemplateNode | null} */
    Ht.call(e)
  );
}
function Gr(e, t) {
  return /* @__PURE__ */ ft(e);
}
function zr(e, t = !1) {
  {
    var n = /* @__PURE__ */ ft(e);
    return n instanceof Comment && n.data === "" ? /* @__PURE__ */ Ye(n) : n;
  }
}
function $r(e, t = !1) {
  return /* @__PURE__ */ ft(e);
}
function Kr(e, t = 1, n = !1) {
  let r = e;
  for (; t--; )
    r = /** @type {TemplateNode} */
    /* @__PURE__ */ Ye(r);
  return r;
}
function Wr(e) {
  e.textContent = "";
}
function Xr() {
  return !1;
}
function Zr(e, t, n) {
  return t == null || t === tn ? (
    /** @type {T extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[T] : Element} */
    n ? document.createElement(e, { is: n }) : document.createElement(e)
  ) : (
    /** @type {T extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[T] : Element} */
    n ? document.createElementNS(t, e, { is: n }) : document.createElementNS(t, e)
  );
}
function zn(e) {
  var t = g;
  if (t === null)
    return v.f |= K, e;
  if ((t.f & he) === 0 && (t.f & ue) === 0)
    throw e;
  L(e, t);
}
function L(e, t) {
  if (e === Et)
    throw e;
  if (!(t !== null && (t.f & k) !== 0)) {
    for (; t !== null; ) {
      if ((t.f & Ke) !== 0 && (t.f & (k | Me)) === 0) {
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
function $n(e) {
  g === null && (v === null && bn(), mn()), Z && En();
}
function Kn(e, t) {
  var n = t.last;
  n === null ? t.last = t.first = e : (n.next = e, e.prev = n, t.last = e);
}
function Y(e, t) {
  var n = g;
  n !== null && (n.f & O) !== 0 && (e |= O);
  var r = {
    ctx: b,
    deps: null,
    nodes: null,
    f: e | y | D,
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
    } catch (a) {
      throw j(r), a;
    }
    s.deps === null && s.teardown === null && s.nodes === null && s.first === s.last && // either `null`, or a singular child
    (s.f & _e) === 0 && (s = s.first, (e & N) !== 0 && (e & Se) !== 0 && s !== null && (s.f |= Se));
  }
  if (s !== null && (s.parent = n, n !== null && Kn(s, n), v !== null && (v.f & S) !== 0 && (e & W) === 0)) {
    var i = (
      /** @type {Derived} */
      v
    );
    (i.effects ??= []).push(s);
  }
  return r;
}
function ut() {
  return v !== null && !M;
}
function Vt(e) {
  const t = Y(Be, null);
  return w(t, m), t.teardown = e, t;
}
function Jr(e) {
  $n();
  var t = (
    /** @type {Effect} */
    g.f
  ), n = !v && (t & B) !== 0 && b !== null && !b.i;
  if (n) {
    var r = (
      /** @type {ComponentContext} */
      b
    );
    (r.e ??= []).push(e);
  } else
    return Yt(e);
}
function Yt(e) {
  return Y(ue | hn, e);
}
function Wn(e) {
  X.ensure();
  const t = Y(W | _e, e);
  return (n = {}) => new Promise((r) => {
    n.outro ? Ie(t, () => {
      j(t), r(void 0);
    }) : (j(t), r(void 0));
  });
}
function Qr(e) {
  return Y(ue, e);
}
function Xn(e) {
  return Y(ae | _e, e);
}
function Zn(e, t = 0) {
  return Y(Be | t, e);
}
function es(e, t = [], n = [], r = []) {
  Mn(r, t, n, (s) => {
    Y(Be, () => {
      e(...s.map(re));
    });
  });
}
function Jn(e, t = 0) {
  var n = Y(N | t, e);
  return n;
}
function ts(e, t = 0) {
  var n = Y(tt | t, e);
  return n;
}
function J(e) {
  return Y(B | _e, e);
}
function qt(e) {
  var t = e.teardown;
  if (t !== null) {
    const n = Z, r = v;
    gt(!0), P(null);
    try {
      t.call(null);
    } catch (s) {
      L(s, e.parent);
    } finally {
      gt(n), P(r);
    }
  }
}
function ot(e, t = !1) {
  var n = e.first;
  for (e.first = e.last = null; n !== null; ) {
    const s = n.ac;
    s !== null && de(() => {
      s.abort(Ae);
    });
    var r = n.next;
    (n.f & W) !== 0 ? n.parent = null : j(n, t), n = r;
  }
}
function Qn(e) {
  for (var t = e.first; t !== null; ) {
    var n = t.next;
    (t.f & B) === 0 && j(t), t = n;
  }
}
function j(e, t = !0) {
  var n = !1;
  (t || (e.f & cn) !== 0) && e.nodes !== null && e.nodes.end !== null && (er(
    e.nodes.start,
    /** @type {TemplateNode} */
    e.nodes.end
  ), n = !0), e.f |= Me, ot(e, t && !n), ke(e, 0);
  var r = e.nodes && e.nodes.t;
  if (r !== null)
    for (const i of r)
      i.stop();
  qt(e), e.f ^= Me, e.f |= k;
  var s = e.parent;
  s !== null && s.first !== null && Ut(e), e.next = e.prev = e.teardown = e.ctx = e.deps = e.fn = e.nodes = e.ac = e.b = null;
}
function er(e, t) {
  for (; e !== null; ) {
    var n = e === t ? null : /* @__PURE__ */ Ye(e);
    e.remove(), e = n;
  }
}
function Ut(e) {
  var t = e.parent, n = e.prev, r = e.next;
  n !== null && (n.next = r), r !== null && (r.prev = n), t !== null && (t.first === e && (t.first = r), t.last === e && (t.last = n));
}
function Ie(e, t, n = !0) {
  var r = [];
  e.f |= nt, Gt(e, r, !0);
  var s = () => {
    n && j(e), t && t();
  }, i = r.length;
  if (i > 0) {
    var a = () => --i || s();
    for (var l of r)
      l.out(a);
  } else
    s();
}
function Gt(e, t, n) {
  if ((e.f & O) === 0) {
    e.f ^= O;
    var r = e.nodes && e.nodes.t;
    if (r !== null)
      for (const l of r)
        (l.is_global || n) && t.push(l);
    for (var s = e.first; s !== null; ) {
      var i = s.next;
      if ((s.f & W) === 0) {
        var a = (s.f & Se) !== 0 || // If this is a branch effect without a block effect parent,
        // it means the parent block effect was pruned. In that case,
        // transparency information was transferred to the branch effect.
        (s.f & B) !== 0 && (e.f & N) !== 0;
        Gt(s, t, a ? n : !1);
      }
      s = i;
    }
  }
}
function ns(e) {
  e.f &= ~nt, zt(e, !0);
}
function zt(e, t) {
  if ((e.f & nt) === 0 && (e.f & O) !== 0) {
    e.f ^= O, (e.f & m) === 0 && (w(e, y), X.ensure().schedule(e));
    for (var n = e.first; n !== null; ) {
      var r = n.next, s = (n.f & Se) !== 0 || (n.f & B) !== 0;
      zt(n, s ? t : !1), n = r;
    }
    var i = e.nodes && e.nodes.t;
    if (i !== null)
      for (const a of i)
        (a.is_global || t) && a.in();
  }
}
function tr(e, t) {
  if (e.nodes)
    for (var n = e.nodes.start, r = e.nodes.end; n !== null; ) {
      var s = n === r ? null : /* @__PURE__ */ Ye(n);
      t.append(n), n = s;
    }
}
let Z = !1;
function gt(e) {
  Z = e;
}
let v = null, M = !1;
function P(e) {
  v = e;
}
let g = null;
function V(e) {
  g = e;
}
let H = null;
function $t(e) {
  v !== null && ((v.f & Le) !== 0 || (v.f & S) !== 0) && (H ??= /* @__PURE__ */ new Set()).add(e);
}
let A = null, x = 0, C = null;
function nr(e) {
  C = e;
}
let Kt = 1, ne = 0, se = ne;
function yt(e) {
  se = e;
}
function Wt() {
  return ++Kt;
}
function Ce(e) {
  var t = e.f;
  if ((t & y) !== 0)
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
      ) && Pt(
        /** @type {Derived} */
        i
      ), i.wv > e.wv)
        return !0;
    }
    (t & D) !== 0 && // During time traveling we don't want to reset the status so that
    // traversal of the graph in the other batches still happens
    I === null && w(e, m);
  }
  return !1;
}
function Xt(e, t, n = !0) {
  var r = e.reactions;
  if (r !== null && !(H !== null && H.has(e)))
    for (var s = 0; s < r.length; s++) {
      var i = r[s];
      (i.f & S) !== 0 ? Xt(
        /** @type {Derived} */
        i,
        t,
        !1
      ) : t === i && (n ? w(i, y) : (i.f & m) !== 0 && w(i, R), at(
        /** @type {Effect} */
        i
      ));
    }
}
function Zt(e) {
  var t = A, n = x, r = C, s = v, i = H, a = b, l = M, f = se, u = e.f;
  A = /** @type {null | Value[]} */
  null, x = 0, C = null, v = (u & (B | W)) === 0 ? e : null, H = null, oe(e.ctx), M = !1, se = ++ne, e.ac !== null && (de(() => {
    e.ac.abort(Ae);
  }), e.ac = null);
  try {
    e.f |= Le;
    var _ = (
      /** @type {Function} */
      e.fn
    ), o = _();
    e.f |= he;
    var h = wt(e);
    if (xe() && C !== null && !M && h !== null && (e.f & (S | R | y)) === 0)
      for (var c = 0; c < /** @type {Source[]} */
      C.length; c++)
        Xt(
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
    return wt(e), zn(d);
  } finally {
    e.f ^= Le, A = t, x = n, C = r, v = s, H = i, oe(a), M = l, se = f;
  }
}
function wt(e) {
  var t = e.deps, n = p?.is_fork;
  if (A !== null) {
    var r;
    if (n || ke(e, x), t !== null && x > 0)
      for (t.length = x + A.length, r = 0; r < A.length; r++)
        t[x + r] = A[r];
    else
      e.deps = t = A;
    if (ut() && (e.f & D) !== 0)
      for (r = x; r < t.length; r++)
        (t[r].reactions ??= []).push(e);
  } else !n && t !== null && x < t.length && (ke(e, x), t.length = x);
  return t;
}
function rr(e, t) {
  let n = t.reactions;
  if (n !== null) {
    var r = rn.call(n, e);
    if (r !== -1) {
      var s = n.length - 1;
      s === 0 ? n = t.reactions = null : (n[r] = n[s], n.pop());
    }
  }
  if (n === null && (t.f & S) !== 0 && // Destroying a child effect while updating a parent effect can cause a dependency to appear
  // to be unused, when in fact it is used by the currently-updating parent. Checking `new_deps`
  // allows us to skip the expensive work of disconnecting and immediately reconnecting it
  (A === null || !Te.call(A, t))) {
    var i = (
      /** @type {Derived} */
      t
    );
    (i.f & D) !== 0 && (i.f ^= D), i.v !== E && rt(i), i.ac !== null && de(() => {
      i.ac.abort(Ae), i.ac = null, w(i, y);
    }), Hn(i), ke(i, 0);
  }
}
function ke(e, t) {
  var n = e.deps;
  if (n !== null)
    for (var r = t; r < n.length; r++)
      rr(e, n[r]);
}
function ce(e) {
  var t = e.f;
  if ((t & k) === 0) {
    w(e, m);
    var n = g;
    g = e;
    try {
      (t & (N | tt)) !== 0 ? Qn(e) : ot(e), qt(e);
      var r = Zt(e);
      e.teardown = typeof r == "function" ? r : null, e.wv = Kt;
      var s;
      mt && Rn && (e.f & y) !== 0 && e.deps;
    } finally {
      g = n;
    }
  }
}
async function rs() {
  await Promise.resolve(), Vn();
}
function re(e) {
  var t = e.f, n = (t & S) !== 0;
  if (v !== null && !M) {
    var r = g !== null && (g.f & k) !== 0;
    if (!r && (H === null || !H.has(e))) {
      var s = v.deps;
      if ((v.f & Le) !== 0)
        e.rv < ne && (e.rv = ne, A === null && s !== null && s[x] === e ? x++ : A === null ? A = [e] : A.push(e));
      else {
        v.deps ??= [], Te.call(v.deps, e) || v.deps.push(e);
        var i = e.reactions;
        i === null ? e.reactions = [v] : Te.call(i, v) || i.push(v);
      }
    }
  }
  if (Z && F.has(e))
    return F.get(e);
  if (n) {
    var a = (
      /** @type {Derived} */
      e
    );
    if (Z) {
      var l = a.v;
      return ((a.f & m) === 0 && a.reactions !== null || Qt(a)) && (l = it(a)), F.set(a, l), l;
    }
    var f = (a.f & D) === 0 && !M && v !== null && (v.f & D) !== 0, u = (a.f & he) === 0;
    Ce(a) && (f && (a.f |= D), Pt(a)), f && !u && (Nt(a), Jt(a));
  }
  if (I?.has(e))
    return I.get(e);
  if ((e.f & K) !== 0)
    throw e.v;
  return e.v;
}
function Jt(e) {
  if (e.f |= D, e.deps !== null)
    for (const n of e.deps) {
      var t = n.reactions;
      t === null ? n.reactions = [e] : Te.call(t, e) || t.push(e), (n.f & S) !== 0 && (n.f & D) === 0 && (Nt(
        /** @type {Derived} */
        n
      ), Jt(
        /** @type {Derived} */
        n
      ));
    }
}
function Qt(e) {
  if (e.v === E) return !0;
  if (e.deps === null) return !1;
  for (const t of e.deps)
    if (F.has(t) || (t.f & S) !== 0 && Qt(
      /** @type {Derived} */
      t
    ))
      return !0;
  return !1;
}
function sr(e) {
  var t = M;
  try {
    return M = !0, e();
  } finally {
    M = t;
  }
}
const ge = /* @__PURE__ */ Symbol("events"), en = /* @__PURE__ */ new Set(), Je = /* @__PURE__ */ new Set();
function ir(e, t, n, r = {}) {
  function s(i) {
    if (r.capture || Qe.call(t, i), !i.cancelBubble)
      return de(() => n?.call(this, i));
  }
  return e.startsWith("pointer") || e.startsWith("touch") || e === "wheel" ? (s.__removed = !1, G(() => {
    s.__removed || t.addEventListener(e, s, r);
  })) : t.addEventListener(e, s, r), s;
}
function ss(e, t, n, r, s) {
  var i = { capture: r, passive: s }, a = ir(e, t, n, i);
  (t === document.body || // @ts-ignore
  t === window || // @ts-ignore
  t === document || // Firefox has quirky behavior, it can happen that we still get "canplay" events when the element is already removed
  t instanceof HTMLMediaElement) && Vt(() => {
    a.__removed = !0, t.removeEventListener(e, a, i);
  });
}
function is(e, t, n) {
  (t[ge] ??= {})[e] = n;
}
function ls(e) {
  for (var t = 0; t < e.length; t++)
    en.add(e[t]);
  for (var n of Je)
    n(e);
}
let ze = null, $e = !1;
function Qe(e) {
  var t = this, n = (
    /** @type {Node} */
    t.ownerDocument
  ), r = e.type, s = e.composedPath?.() || [], i = (
    /** @type {null | Element} */
    s[0] || e.target
  );
  ze = e, $e || ($e = !0, setTimeout(() => {
    $e = !1, ze = null;
  }));
  var a = 0, l = ze === e && e[ge];
  if (l) {
    var f = s.indexOf(l);
    if (f !== -1 && (t === document || t === /** @type {any} */
    window)) {
      e[ge] = t;
      return;
    }
    var u = s.indexOf(t);
    if (u === -1)
      return;
    f <= u && (a = f);
  }
  if (i = /** @type {Element} */
  s[a] || e.target, i !== t) {
    bt(e, "currentTarget", {
      configurable: !0,
      get() {
        return i || n;
      }
    });
    var _ = v, o = g;
    P(null), V(null);
    try {
      for (var h, c = []; i !== null && i !== t; ) {
        try {
          var d = i[ge]?.[r];
          d != null && (!/** @type {any} */
          i.disabled || // DOM could've been updated already by the time this is reached, so we check this as well
          // -> the target could not have been disabled because it emits the event in the first place
          e.target === i) && d.call(i, e);
        } catch (T) {
          h ? c.push(T) : h = T;
        }
        if (e.cancelBubble) break;
        a++, i = a < s.length ? (
          /** @type {Element} */
          s[a]
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
      e[ge] = t, delete e.currentTarget, P(_), V(o);
    }
  }
}
function as(e) {
  return e.endsWith("capture") && e !== "gotpointercapture" && e !== "lostpointercapture";
}
const lr = [
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
function fs(e) {
  return lr.includes(e);
}
const ar = {
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
function us(e) {
  return e = e.toLowerCase(), ar[e] ?? e;
}
const fr = ["touchstart", "touchmove"];
function ur(e) {
  return fr.includes(e);
}
function or(e) {
  let t = 0, n = Re(0), r;
  return () => {
    ut() && (re(n), Zn(() => (t === 0 && (r = sr(() => e(() => be(n)))), t += 1, () => {
      G(() => {
        t -= 1, t === 0 && (r?.(), r = void 0, be(n));
      });
    })));
  };
}
var cr = Se | _e;
function hr(e, t, n, r) {
  new _r(e, t, n, r);
}
class _r {
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
  #d = or(() => (this.#u = Re(this.#h), () => {
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
      var a = (
        /** @type {Effect} */
        g
      );
      a.b = this, a.f |= Ke, r(i);
    }, this.parent = /** @type {Effect} */
    g.b, this.transform_error = s ?? this.parent?.transform_error ?? ((i) => i), this.#t = Jn(() => {
      this.#E();
    }, cr);
  }
  #w() {
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
    const n = this.#l.failed, { reset: r, invoke_onerror: s } = this.#y(t);
    G(s), n && (this.#e = J(() => {
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
  #y(t) {
    var n = !1, r = !1;
    const s = () => {
      if (!this.#o()) {
        if (n) {
          gn();
          return;
        }
        n = !0, r && xn(), this.#e !== null && Ie(this.#e, () => {
          this.#e = null;
        }), this.#m(() => {
          this.#E();
        });
      }
    };
    return { reset: s, invoke_onerror: () => {
      if (!this.#o())
        try {
          r = !0, this.#l.onerror?.(t, s), r = !1;
        } catch (a) {
          L(a, this.#t && this.#t.parent);
        }
    } };
  }
  #o() {
    return (this.#t.f & (k | Me)) !== 0;
  }
  #v() {
    const t = this.#l.pending;
    t && (this.is_pending = !0, this.#r = J(() => t(this.#i)), G(() => {
      if (!this.#o()) {
        var n = this.#s = document.createDocumentFragment(), r = Bt(), s = !1;
        if (n.append(r), this.#n = this.#m(() => {
          try {
            return J(() => this.#a(r));
          } catch (i) {
            try {
              this.error(i), s = !0;
            } catch (a) {
              L(a, this.#t.parent);
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
        this.#f === 0 && (this.#i.before(n), this.#s = null, Ie(
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
  #E() {
    try {
      if (this.is_pending = this.has_pending_snippet(), this.#f = 0, this.#h = 0, this.#n = J(() => {
        this.#a(this.#i);
      }), this.#f > 0) {
        var t = this.#s = document.createDocumentFragment();
        tr(this.#n, t);
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
    Ct(t, this.#g);
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
  #m(t) {
    var n = g, r = v, s = b;
    V(this.#t), P(this.#t), oe(this.#t.ctx);
    try {
      return X.ensure(), t();
    } finally {
      V(n), P(r), oe(s);
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
    this.#f += t, this.#f === 0 && (this.#c(n), this.#r && Ie(this.#r, () => {
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
    this.#T(t, n), this.#h += t, !(!this.#u || this.#_) && (this.#_ = !0, G(() => {
      this.#_ = !1, this.#u && He(this.#u, this.#h);
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
    if (t === Et || !this.#l.onerror && !this.#l.failed)
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
      const { reset: i, invoke_onerror: a } = this.#y(s);
      a(), n && !this.#o() && (this.#e = this.#m(() => {
        try {
          return J(() => {
            var l = (
              /** @type {Effect} */
              g
            );
            l.b = this, l.f |= Ke, n(
              this.#i,
              () => s,
              () => i
            );
          });
        } catch (l) {
          return L(
            l,
            /** @type {Effect} */
            this.#t.parent
          ), null;
        }
      }));
    };
    G(() => {
      if (!this.#o()) {
        var s;
        try {
          s = this.transform_error(t);
        } catch (i) {
          L(i, this.#t && this.#t.parent);
          return;
        }
        s !== null && typeof s == "object" && typeof /** @type {any} */
        s.then == "function" ? s.then(
          r,
          /** @param {unknown} e */
          (i) => L(i, this.#t && this.#t.parent)
        ) : r(s);
      }
    });
  }
}
function os(e, t) {
  var n = t == null ? "" : typeof t == "object" ? `${t}` : t;
  n !== /** @type {any} */
  (e[We] ??= e.nodeValue) && (e[We] = n, e.nodeValue = `${n}`);
}
function cs(e, t) {
  return dr(e, t);
}
const Oe = /* @__PURE__ */ new Map();
function dr(e, { target: t, anchor: n, props: r = {}, events: s, context: i, intro: a = !0, transformError: l }) {
  Gn();
  var f = void 0, u = Wn(() => {
    var _ = n ?? t.appendChild(Bt());
    hr(
      /** @type {TemplateNode} */
      _,
      {
        pending: () => {
        }
      },
      (c) => {
        Cn({});
        var d = (
          /** @type {ComponentContext} */
          b
        );
        i && (d.c = i), s && (r.$$events = s), f = e(c, r) || xt(), On();
      },
      l
    );
    var o = /* @__PURE__ */ new Set(), h = (c) => {
      for (var d = 0; d < c.length; d++) {
        var T = c[d];
        if (!o.has(T)) {
          o.add(T);
          var z = ur(T);
          for (const qe of [t, document]) {
            var q = Oe.get(qe);
            q === void 0 && (q = /* @__PURE__ */ new Map(), Oe.set(qe, q));
            var ie = q.get(T);
            ie === void 0 ? (qe.addEventListener(T, Qe, { passive: z }), q.set(T, 1)) : q.set(T, ie + 1);
          }
        }
      }
    };
    return h(sn(en)), Je.add(h), () => {
      for (var c of o)
        for (const z of [t, document]) {
          var d = (
            /** @type {Map<string, number>} */
            Oe.get(z)
          ), T = (
            /** @type {number} */
            d.get(c)
          );
          --T == 0 ? (z.removeEventListener(c, Qe), d.delete(c), d.size === 0 && Oe.delete(z)) : d.set(c, T);
        }
      Je.delete(h), _ !== n && _.parentNode?.removeChild(_);
    };
  });
  return et.set(f, u), f;
}
let et = /* @__PURE__ */ new WeakMap();
function hs(e, t) {
  const n = et.get(e);
  return n ? (et.delete(e), n(t)) : Promise.resolve();
}
export {
  Cr as $,
  sn as A,
  pr as B,
  Re as C,
  vr as D,
  Se as E,
  wr as F,
  qr as G,
  Pr as H,
  k as I,
  O as J,
  G as K,
  B as L,
  yr as M,
  Wr as N,
  Ye as O,
  Vt as P,
  xr as Q,
  ts as R,
  Qr as S,
  kr as T,
  dn as U,
  vn as V,
  Lr as W,
  Ur as X,
  _n as Y,
  tn as Z,
  Dr as _,
  Bt as a,
  Ir as a0,
  Mn as a1,
  Rr as a2,
  fs as a3,
  as as a4,
  is as a5,
  ls as a6,
  ir as a7,
  Br as a8,
  us as a9,
  On as aA,
  Cn as aB,
  Kr as aC,
  es as aD,
  Yr as aE,
  os as aF,
  Gr as aG,
  $r as aH,
  Hr as aI,
  rs as aJ,
  ss as aK,
  cs as aL,
  hs as aM,
  E as aa,
  Vr as ab,
  Zn as ac,
  xt as ad,
  Me as ae,
  we as af,
  un as ag,
  yn as ah,
  Q as ai,
  bt as aj,
  ye as ak,
  jr as al,
  br as am,
  pe as an,
  Tr as ao,
  mr as ap,
  Er as aq,
  st as ar,
  Sr as as,
  Z as at,
  Nr as au,
  Or as av,
  ut as aw,
  or as ax,
  $ as ay,
  zr as az,
  g as b,
  Zr as c,
  ft as d,
  Un as e,
  Ar as f,
  fn as g,
  j as h,
  nn as i,
  J as j,
  p as k,
  Jn as l,
  tr as m,
  b as n,
  ln as o,
  Ie as p,
  Ve as q,
  ns as r,
  Xr as s,
  sr as t,
  Jr as u,
  re as v,
  He as w,
  Fr as x,
  gr as y,
  Fn as z
};
