/* SPDX-License-Identifier: MIT */
/* cleanroom._cleanroom: the Python binding of libcleanroom's public API
 * (cleanroom/cleanroom.h), and nothing more: configs, options, sandboxes.
 * The package (the modules in cleanroom/) builds what Python users see on it.
 *
 * The GIL is released around every call that may block or take
 * milliseconds (create, start, wait, check, run); the library's log
 * callback takes it back to call the Python function set in Options. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include "cleanroom/cleanroom.h"

#if PY_VERSION_HEX < 0x030A0000 /* what 3.10 added, for 3.8 and 3.9 */
static PyObject *Py_NewRef(PyObject *o) {
  Py_INCREF(o);
  return o;
}
static int PyModule_AddObjectRef(PyObject *m, const char *name, PyObject *o) {
  Py_XINCREF(o);
  if (PyModule_AddObject(m, name, o) < 0) {
    Py_XDECREF(o);
    return -1;
  }
  return 0;
}
#endif

static PyObject *Error; /* cleanroom._cleanroom.Error */

/* Text from the library (messages, paths, JSON): not always UTF-8 (a path
 * is bytes); never a decoding error instead of the error itself. */
static PyObject *text_of(const char *s) {
  return s ? PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "surrogateescape") : Py_NewRef(Py_None);
}

/* Raise Error(message) with .where, .what and .errno from `err` (freed). */
static PyObject *raise_error(cr_error *err) {
  if (!err) {
    PyErr_SetString(Error, "cleanroom failed without saying why");
    return NULL;
  }
  PyObject *message = text_of(cr_error_message(err));
  PyObject *exc = message ? PyObject_CallFunctionObjArgs(Error, message, NULL) : NULL;
  Py_XDECREF(message);
  if (exc) {
    PyObject *where = text_of(cr_error_where(err));
    PyObject *what = text_of(cr_error_what(err));
    PyObject *errnum = PyLong_FromLong(cr_error_errno(err));
    if (where && what && errnum && PyObject_SetAttrString(exc, "where", where) == 0 &&
        PyObject_SetAttrString(exc, "what", what) == 0 && PyObject_SetAttrString(exc, "errno", errnum) == 0)
      PyErr_SetObject(Error, exc);
    Py_XDECREF(where);
    Py_XDECREF(what);
    Py_XDECREF(errnum);
    Py_DECREF(exc);
  }
  cr_error_free(err);
  return NULL;
}

/* A str, bytes or os.PathLike as a C string: *out borrows from *keep,
 * which the caller releases. */
static int fs_string(PyObject *obj, PyObject **keep, const char **out) {
  if (!PyUnicode_FSConverter(obj, keep)) return -1;
  *out = PyBytes_AS_STRING(*keep);
  return 0;
}

/* An option that takes a path (None: left as it is). */
static int set_path_option(cr_options *opts, PyObject *value,
                           int (*set)(cr_options *, const char *, cr_error **)) {
  if (value == Py_None) return 0;
  PyObject *keep = NULL;
  const char *s;
  if (fs_string(value, &keep, &s) < 0) return -1;
  cr_error *err = NULL;
  int rc = set(opts, s, &err);
  Py_DECREF(keep);
  if (rc < 0) raise_error(err);
  return rc < 0 ? -1 : 0;
}

/* A sequence of str/bytes/PathLike as a NULL-terminated vector. */
struct strv {
  const char **v;
  PyObject **keep;
  Py_ssize_t n;
};

static void strv_free(struct strv *s) {
  for (Py_ssize_t i = 0; s->keep && i < s->n; i++) Py_XDECREF(s->keep[i]);
  PyMem_Free(s->keep);
  PyMem_Free(s->v);
  s->v = NULL;
  s->keep = NULL;
  s->n = 0;
}

static int strv_from(PyObject *seq_obj, const char *what, struct strv *s) {
  s->v = NULL;
  s->keep = NULL;
  s->n = 0;
  PyObject *seq = PySequence_Fast(seq_obj, what);
  if (!seq) return -1;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  s->v = PyMem_Calloc((size_t)n + 1, sizeof *s->v);
  s->keep = PyMem_Calloc((size_t)n + 1, sizeof *s->keep);
  if (!s->v || !s->keep) {
    Py_DECREF(seq);
    strv_free(s);
    PyErr_NoMemory();
    return -1;
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    s->n = i + 1;
    if (fs_string(PySequence_Fast_GET_ITEM(seq, i), &s->keep[i], &s->v[i]) < 0) {
      Py_DECREF(seq);
      strv_free(s);
      return -1;
    }
  }
  s->n = n;
  Py_DECREF(seq);
  return 0;
}

/* ---- Options ----------------------------------------------------------------- */

typedef struct {
  PyObject_HEAD
  cr_options *opts;
  PyObject *log; /* callable(level, message) or None */
  bool audit;    /* the audit reads environ: create holds the GIL (no os.environ change meanwhile) */
} OptionsObject;

static void log_to_python(void *data, int level, const char *message) {
  PyGILState_STATE gil = PyGILState_Ensure();
  OptionsObject *self = data;
  if (self->log && self->log != Py_None) {
    PyObject *r = PyObject_CallFunction(self->log, "is", level, message);
    if (r)
      Py_DECREF(r);
    else
      PyErr_WriteUnraisable(self->log);
  }
  PyGILState_Release(gil);
}

static int Options_init(OptionsObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"cache_dir", "cgroup_parent", "debug_timing", "log", "audit", NULL};
  PyObject *cache_dir = Py_None, *cgroup_parent = Py_None, *log = Py_None;
  int debug_timing = 0, audit = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOpOp:Options", kwlist, &cache_dir, &cgroup_parent,
                                   &debug_timing, &log, &audit))
    return -1;
  if (log != Py_None && !PyCallable_Check(log)) {
    PyErr_SetString(PyExc_TypeError, "log must be callable(level, message) or None");
    return -1;
  }
  cr_error *err = NULL;
  if (!self->opts && cr_options_new(&self->opts, &err) < 0) {
    raise_error(err);
    return -1;
  }
  if (set_path_option(self->opts, cache_dir, cr_options_set_cache_dir) < 0 ||
      set_path_option(self->opts, cgroup_parent, cr_options_set_cgroup_parent) < 0)
    return -1;
  cr_options_set_debug_timing(self->opts, debug_timing);
  cr_options_set_audit(self->opts, audit);
  self->audit = audit;
  Py_INCREF(log);
  Py_XSETREF(self->log, log);
  cr_options_set_log(self->opts, log_to_python, self);
  return 0;
}

static void Options_dealloc(OptionsObject *self) {
  cr_options_free(self->opts);
  Py_XDECREF(self->log);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject OptionsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cleanroom._cleanroom.Options",
    .tp_doc = PyDoc_STR("Options(cache_dir=None, cgroup_parent=None, debug_timing=False, log=None)\n\n"
                        "What the library takes instead of environment variables. log(level, message)\n"
                        "receives its warnings (level 1) and debug timing (level 2)."),
    .tp_basicsize = sizeof(OptionsObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Options_init,
    .tp_dealloc = (destructor)Options_dealloc,
};

static const cr_options *options_of(PyObject *obj) {
  return obj && obj != Py_None ? ((OptionsObject *)obj)->opts : NULL;
}

static int check_options(PyObject *obj) {
  if (obj == Py_None || PyObject_TypeCheck(obj, &OptionsType)) return 0;
  PyErr_SetString(PyExc_TypeError, "options must be an Options or None");
  return -1;
}

/* ---- Config ------------------------------------------------------------------ */

typedef struct {
  PyObject_HEAD
  cr_config *cfg;
} ConfigObject;

static PyTypeObject ConfigType;

static PyObject *config_wrap(cr_config *cfg) {
  ConfigObject *self = PyObject_New(ConfigObject, &ConfigType);
  if (!self) {
    cr_config_free(cfg);
    return NULL;
  }
  self->cfg = cfg;
  return (PyObject *)self;
}

static void Config_dealloc(ConfigObject *self) {
  cr_config_free(self->cfg);
  PyObject_Free(self);
}

static PyObject *Config_default(PyObject *cls, PyObject *noargs) {
  cr_config *cfg = NULL;
  cr_error *err = NULL;
  if (cr_config_load_default(&cfg, &err) < 0) return raise_error(err);
  return config_wrap(cfg);
}

static PyObject *Config_load_file(PyObject *cls, PyObject *arg) {
  PyObject *keep = NULL;
  const char *path;
  if (fs_string(arg, &keep, &path) < 0) return NULL;
  cr_config *cfg = NULL;
  cr_error *err = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = cr_config_load_file(path, &cfg, &err);
  Py_END_ALLOW_THREADS
  Py_DECREF(keep);
  if (rc < 0) return raise_error(err);
  return config_wrap(cfg);
}

static PyObject *Config_load_string(PyObject *cls, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"text", "name", "base_dir", NULL};
  const char *text, *name = NULL;
  PyObject *base_dir = Py_None, *keep = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|zO:load_string", kwlist, &text, &name, &base_dir))
    return NULL;
  const char *base = NULL;
  if (base_dir != Py_None && fs_string(base_dir, &keep, &base) < 0) return NULL;
  cr_config *cfg = NULL;
  cr_error *err = NULL;
  int rc = cr_config_load_string(text, name, base, &cfg, &err);
  Py_XDECREF(keep);
  if (rc < 0) return raise_error(err);
  return config_wrap(cfg);
}

static PyObject *Config_copy(ConfigObject *self, PyObject *noargs) {
  cr_config *cfg = NULL;
  cr_error *err = NULL;
  if (cr_config_copy(self->cfg, &cfg, &err) < 0) return raise_error(err);
  return config_wrap(cfg);
}

static PyObject *Config_update(ConfigObject *self, PyObject *args) {
  const char *json;
  if (!PyArg_ParseTuple(args, "s:update", &json)) return NULL;
  cr_error *err = NULL;
  if (cr_config_update(self->cfg, json, &err) < 0) return raise_error(err);
  Py_RETURN_NONE;
}

static PyObject *Config_add_bind(ConfigObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"source", "target", "writable", NULL};
  PyObject *source, *target = Py_None, *keep_s = NULL, *keep_t = NULL;
  int writable = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|Op:add_bind", kwlist, &source, &target, &writable))
    return NULL;
  const char *s, *t = NULL;
  if (fs_string(source, &keep_s, &s) < 0) return NULL;
  if (target != Py_None && fs_string(target, &keep_t, &t) < 0) {
    Py_DECREF(keep_s);
    return NULL;
  }
  cr_error *err = NULL;
  int rc = cr_config_add_bind(self->cfg, s, t, writable, &err);
  Py_DECREF(keep_s);
  Py_XDECREF(keep_t);
  if (rc < 0) return raise_error(err);
  Py_RETURN_NONE;
}

static PyObject *Config_to_json(ConfigObject *self, PyObject *noargs) {
  char *text = cr_config_to_json(self->cfg);
  if (!text) return PyErr_NoMemory();
  PyObject *r = text_of(text);
  cr_free(text);
  return r;
}

static PyObject *Config_check(ConfigObject *self, PyObject *args) {
  PyObject *options = Py_None;
  if (!PyArg_ParseTuple(args, "|O:check", &options) || check_options(options) < 0) return NULL;
  cr_error *err = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = cr_config_check(self->cfg, options_of(options), &err);
  Py_END_ALLOW_THREADS
  if (rc < 0) return raise_error(err);
  Py_RETURN_NONE;
}

static PyObject *Config_explain(ConfigObject *self, PyObject *args) {
  PyObject *options = Py_None;
  if (!PyArg_ParseTuple(args, "|O:explain", &options) || check_options(options) < 0) return NULL;
  cr_error *err = NULL;
  char *text = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = cr_config_explain(self->cfg, options_of(options), &text, &err);
  Py_END_ALLOW_THREADS
  if (rc < 0) return raise_error(err);
  PyObject *r = text_of(text);
  cr_free(text);
  return r;
}

static PyMethodDef Config_methods[] = {
    {"default", Config_default, METH_NOARGS | METH_CLASS, "The built-in default config."},
    {"load_file", Config_load_file, METH_O | METH_CLASS, "load_file(path): a config file on the default."},
    {"load_string", (PyCFunction)(void (*)(void))Config_load_string,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "load_string(text, name=None, base_dir=None): config JSON text on the default."},
    {"copy", (PyCFunction)Config_copy, METH_NOARGS, "An independent copy."},
    {"update", (PyCFunction)Config_update, METH_VARARGS,
     "update(json): replace the sections that the JSON object names, validated as a file is."},
    {"add_bind", (PyCFunction)(void (*)(void))Config_add_bind, METH_VARARGS | METH_KEYWORDS,
     "add_bind(source, target=None, writable=False): a bind of a host path."},
    {"to_json", (PyCFunction)Config_to_json, METH_NOARGS, "The resolved config as JSON text."},
    {"check", (PyCFunction)Config_check, METH_VARARGS,
     "check(options=None): what `cleanroom check` does (also compiles the seccomp policy)."},
    {"explain", (PyCFunction)Config_explain, METH_VARARGS,
     "explain(options=None): what a sandbox can reach, as JSON text (`cleanroom check --explain --json`)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ConfigType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cleanroom._cleanroom.Config",
    .tp_doc = PyDoc_STR("A loaded config (Config.default(), .load_file(), .load_string())."),
    .tp_basicsize = sizeof(ConfigObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)Config_dealloc,
    .tp_methods = Config_methods,
};

/* ---- Sandbox ----------------------------------------------------------------- */

/* One sandbox is used by one thread at a time (the library's rule):
 * every method holds the object's lock, taken with the GIL released, so
 * that Python threads (multiprocessing's own among them) may share one. */
typedef struct {
  PyObject_HEAD
  cr_sandbox *sb;
  PyThread_type_lock lock;
  PyObject *options; /* kept alive: the sandbox logs through it */
  PyObject *report;  /* (report JSON, error message or None) once ended */
} SandboxObject;

static void lock_sandbox(SandboxObject *self) {
  if (PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) return;
  Py_BEGIN_ALLOW_THREADS
  PyThread_acquire_lock(self->lock, WAIT_LOCK);
  Py_END_ALLOW_THREADS
}

static void unlock_sandbox(SandboxObject *self) { PyThread_release_lock(self->lock); }

static PyObject *Sandbox_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  SandboxObject *self = (SandboxObject *)type->tp_alloc(type, 0);
  if (!self) return NULL;
  self->lock = PyThread_allocate_lock();
  if (!self->lock) {
    Py_DECREF(self);
    return PyErr_NoMemory();
  }
  return (PyObject *)self;
}

static int Sandbox_init(SandboxObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"config", "options", NULL};
  PyObject *config, *options = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!|O:Sandbox", kwlist, &ConfigType, &config, &options) ||
      check_options(options) < 0)
    return -1;
  lock_sandbox(self);
  if (self->sb || self->report) {
    unlock_sandbox(self);
    PyErr_SetString(PyExc_RuntimeError, "a Sandbox is created once");
    return -1;
  }
  Py_INCREF(options);
  Py_XSETREF(self->options, options);
  const cr_config *cfg = ((ConfigObject *)config)->cfg;
  const cr_options *opts = options_of(options);
  cr_sandbox *sb = NULL;
  cr_error *err = NULL;
  int rc;
  if (options != Py_None && ((OptionsObject *)options)->audit) {
    rc = cr_sandbox_create(cfg, opts, &sb, &err);
  } else {
    Py_BEGIN_ALLOW_THREADS
    rc = cr_sandbox_create(cfg, opts, &sb, &err);
    Py_END_ALLOW_THREADS
  }
  if (rc == 0) self->sb = sb;
  unlock_sandbox(self);
  if (rc < 0) {
    raise_error(err);
    return -1;
  }
  return 0;
}

/* With the lock held. */
static void sandbox_close(SandboxObject *self) {
  if (!self->sb) return;
  cr_sandbox *sb = self->sb;
  self->sb = NULL;
  Py_BEGIN_ALLOW_THREADS
  cr_sandbox_free(sb);
  Py_END_ALLOW_THREADS
}

static void Sandbox_dealloc(SandboxObject *self) {
  if (self->lock) {
    sandbox_close(self); /* nobody else holds the object any more */
    PyThread_free_lock(self->lock);
  }
  Py_XDECREF(self->options);
  Py_XDECREF(self->report);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Take the lock; unless the sandbox is open, release it and raise. */
static int enter_open(SandboxObject *self) {
  lock_sandbox(self);
  if (self->sb) return 0;
  unlock_sandbox(self);
  PyErr_SetString(PyExc_ValueError, "the sandbox is closed");
  return -1;
}

/* fds: an iterable of (target, source) pairs. */
static int job_add_fds(cr_job *job, PyObject *fds, cr_error **err) {
  PyObject *it = PyObject_GetIter(fds);
  if (!it) return -1;
  PyObject *pair;
  int rc = 0;
  while (rc == 0 && (pair = PyIter_Next(it))) {
    int target, source;
    if (!PyArg_ParseTuple(pair, "ii;fds entries are (target, source) pairs", &target, &source))
      rc = -1;
    else if (cr_job_set_fd(job, target, source, err) < 0)
      rc = -2;
    Py_DECREF(pair);
  }
  Py_DECREF(it);
  if (rc == 0 && PyErr_Occurred()) rc = -1;
  return rc;
}

/* Fill the job from start()'s arguments: -1 with a Python error set, -2
 * with *err set. */
static int build_job(cr_job *job, PyObject *argv, PyObject *env, PyObject *cwd, PyObject *fds,
                     PyObject *time_limit_ms, cr_error **err) {
  struct strv s;
  if (argv != Py_None) {
    if (strv_from(argv, "args must be a sequence of strings", &s) < 0) return -1;
    int rc = cr_job_set_args(job, (size_t)s.n, s.v, err);
    strv_free(&s);
    if (rc < 0) return -2;
  }
  if (env != Py_None) {
    if (strv_from(env, "env must be a sequence of NAME=VALUE strings", &s) < 0) return -1;
    int rc = cr_job_set_env(job, (size_t)s.n, s.v, err);
    strv_free(&s);
    if (rc < 0) return -2;
  }
  if (cwd != Py_None) {
    PyObject *keep;
    const char *c;
    if (fs_string(cwd, &keep, &c) < 0) return -1;
    int rc = cr_job_set_cwd(job, c, err);
    Py_DECREF(keep);
    if (rc < 0) return -2;
  }
  if (fds != Py_None) {
    int rc = job_add_fds(job, fds, err);
    if (rc < 0) return rc;
  }
  if (time_limit_ms != Py_None) {
    unsigned long long ms = PyLong_AsUnsignedLongLong(time_limit_ms);
    if (PyErr_Occurred()) return -1;
    if (cr_job_set_time_limit_ms(job, ms, err) < 0) return -2;
  }
  return 0;
}

static PyObject *Sandbox_start(SandboxObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"args", "env", "cwd", "fds", "time_limit_ms", NULL};
  PyObject *argv = Py_None, *env = Py_None, *cwd = Py_None, *fds = Py_None, *time_limit_ms = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOOO:start", kwlist, &argv, &env, &cwd, &fds,
                                   &time_limit_ms))
    return NULL;
  cr_error *err = NULL;
  cr_job *job = NULL;
  bool any =
      argv != Py_None || env != Py_None || cwd != Py_None || fds != Py_None || time_limit_ms != Py_None;
  if (any) {
    if (cr_job_new(&job, &err) < 0) return raise_error(err);
    int rc = build_job(job, argv, env, cwd, fds, time_limit_ms, &err);
    if (rc < 0) {
      cr_job_free(job);
      return rc == -2 ? raise_error(err) : NULL;
    }
  }
  if (enter_open(self) < 0) {
    cr_job_free(job);
    return NULL;
  }
  cr_sandbox *sb = self->sb;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = cr_sandbox_start(sb, job, &err);
  cr_job_free(job);
  Py_END_ALLOW_THREADS
  unlock_sandbox(self);
  if (rc < 0) return raise_error(err);
  Py_RETURN_NONE;
}

static PyObject *Sandbox_fileno(SandboxObject *self, PyObject *noargs) {
  if (enter_open(self) < 0) return NULL;
  int fd = cr_sandbox_fd(self->sb);
  unlock_sandbox(self);
  return PyLong_FromLong(fd);
}

static PyObject *Sandbox_get_pid(SandboxObject *self, void *closure) {
  if (enter_open(self) < 0) return NULL;
  pid_t pid = cr_sandbox_pid(self->sb);
  unlock_sandbox(self);
  return PyLong_FromLong((long)pid);
}

static PyObject *Sandbox_kill(SandboxObject *self, PyObject *args) {
  int sig;
  if (!PyArg_ParseTuple(args, "i:kill", &sig) || enter_open(self) < 0) return NULL;
  cr_error *err = NULL;
  int rc = cr_sandbox_kill(self->sb, sig, &err);
  unlock_sandbox(self);
  if (rc < 0) return raise_error(err);
  Py_RETURN_NONE;
}

/* wait(timeout_ms=-1) -> (report JSON, error message or None), or None when
 * the time ran out; the report stays once there (also after close). The
 * lock is held for the wait: the package waits with 0, after poll(). */
static PyObject *Sandbox_wait(SandboxObject *self, PyObject *args) {
  int timeout_ms = -1;
  if (!PyArg_ParseTuple(args, "|i:wait", &timeout_ms)) return NULL;
  lock_sandbox(self);
  if (self->report) {
    PyObject *cached = Py_NewRef(self->report);
    unlock_sandbox(self);
    return cached;
  }
  if (!self->sb) {
    unlock_sandbox(self);
    PyErr_SetString(PyExc_ValueError, "the sandbox is closed");
    return NULL;
  }
  cr_sandbox *sb = self->sb;
  const cr_result *res = NULL;
  cr_error *err = NULL;
  int rc;
  char *json = NULL;
  Py_BEGIN_ALLOW_THREADS
  rc = cr_sandbox_wait(sb, timeout_ms, &res, &err);
  if (rc == 1) json = cr_result_to_json(res, NULL);
  Py_END_ALLOW_THREADS
  PyObject *report = NULL;
  if (rc == 1 && json) {
    PyObject *text = text_of(json), *error = text_of(res->error);
    report = text && error ? PyTuple_Pack(2, text, error) : NULL;
    Py_XDECREF(text);
    Py_XDECREF(error);
    if (report) self->report = Py_NewRef(report);
  }
  unlock_sandbox(self);
  cr_free(json);
  if (rc < 0) return raise_error(err);
  if (rc == 0) Py_RETURN_NONE;
  if (!json) return PyErr_NoMemory();
  return report;
}

static PyObject *Sandbox_close(SandboxObject *self, PyObject *noargs) {
  lock_sandbox(self);
  sandbox_close(self);
  unlock_sandbox(self);
  Py_RETURN_NONE;
}

static PyObject *Sandbox_get_closed(SandboxObject *self, void *closure) {
  lock_sandbox(self);
  bool closed = !self->sb;
  unlock_sandbox(self);
  return PyBool_FromLong(closed);
}

static PyMethodDef Sandbox_methods[] = {
    {"start", (PyCFunction)(void (*)(void))Sandbox_start, METH_VARARGS | METH_KEYWORDS,
     "start(args=None, env=None, cwd=None, fds=None, time_limit_ms=None): start the payload once;\n"
     "given parts form a job (env: NAME=VALUE strings; fds: (target, source) pairs)."},
    {"fileno", (PyCFunction)Sandbox_fileno, METH_NOARGS,
     "An fd that is readable once the sandbox has ended."},
    {"kill", (PyCFunction)Sandbox_kill, METH_VARARGS,
     "kill(signal): SIGKILL ends the sandbox; another signal goes to the payload."},
    {"wait", (PyCFunction)Sandbox_wait, METH_VARARGS,
     "wait(timeout_ms=-1): (report JSON, error or None) once ended, None when the time ran out."},
    {"close", (PyCFunction)Sandbox_close, METH_NOARGS, "End the sandbox if it runs, release it."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Sandbox_getset[] = {
    {"pid", (getter)Sandbox_get_pid, NULL, "The host pid of the sandbox's init.", NULL},
    {"closed", (getter)Sandbox_get_closed, NULL, "Whether close() was called.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject SandboxType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cleanroom._cleanroom.Sandbox",
    .tp_doc = PyDoc_STR("Sandbox(config, options=None): a sandbox built up to its payload's start."),
    .tp_basicsize = sizeof(SandboxObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Sandbox_new,
    .tp_init = (initproc)Sandbox_init,
    .tp_dealloc = (destructor)Sandbox_dealloc,
    .tp_methods = Sandbox_methods,
    .tp_getset = Sandbox_getset,
};

/* ---- the module ---------------------------------------------------------------- */

static PyObject *default_json(PyObject *mod, PyObject *noargs) { return text_of(cr_config_default_json()); }

static PyMethodDef module_methods[] = {
    {"default_json", default_json, METH_NOARGS, "The built-in default config as JSON text."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "cleanroom._cleanroom",
    .m_doc = "The binding of libcleanroom (cleanroom/cleanroom.h); use the cleanroom package.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__cleanroom(void) {
  if (PyType_Ready(&OptionsType) < 0 || PyType_Ready(&ConfigType) < 0 || PyType_Ready(&SandboxType) < 0)
    return NULL;
  PyObject *m = PyModule_Create(&module);
  if (!m) return NULL;
  Error = PyErr_NewExceptionWithDoc("cleanroom._cleanroom.Error",
                                    "A libcleanroom error: str() is the message; .where, .what, .errno.",
                                    NULL, NULL);
  if (!Error || PyModule_AddObjectRef(m, "Error", Error) < 0 ||
      PyModule_AddObjectRef(m, "Options", (PyObject *)&OptionsType) < 0 ||
      PyModule_AddObjectRef(m, "Config", (PyObject *)&ConfigType) < 0 ||
      PyModule_AddObjectRef(m, "Sandbox", (PyObject *)&SandboxType) < 0 ||
      PyModule_AddStringConstant(m, "library_version", cr_version()) < 0 ||
      PyModule_AddStringConstant(m, "header_version", CLEANROOM_VERSION_STRING) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
