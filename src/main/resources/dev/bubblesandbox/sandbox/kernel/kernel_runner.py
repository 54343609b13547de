# The Python of a kernel session (docs/kernels.md): runs inside the session's sandbox, keeps the
# user's namespace between executions and speaks line-delimited JSON: commands on stdin, events
# on stdout. Standard library only; IPython and matplotlib are used when importable.
# Argument: max_inline_result_bytes (a MIME value larger than it goes to a file of .results/).
import ast
import base64
import builtins
import codecs
import io
import json
import linecache
import os
import queue
import signal
import sys
import threading
import traceback
import types

CELL = '<cell>'
MAX_INLINE = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 20
# A line must stay within 2 x MAX_INLINE + 64 KiB (the server's bound): a bundle's inline values
# together stay under 2 x MAX_INLINE, a stream event's text under 8 Ki characters (6 bytes each
# at worst, escaped), an error's text under MAX_INLINE / 8 characters per part.
STREAM_CHUNK = 8192
ERROR_CHARS = max(256, MAX_INLINE // 8)
WORK = os.getcwd()
EXTENSIONS = {'text/plain': 'txt', 'text/html': 'html', 'text/markdown': 'md', 'image/png': 'png',
              'image/svg+xml': 'svg', 'application/json': 'json', 'text/latex': 'tex'}
REPR_METHODS = [('text/html', '_repr_html_'), ('text/markdown', '_repr_markdown_'),
                ('image/svg+xml', '_repr_svg_'), ('image/png', '_repr_png_'),
                ('application/json', '_repr_json_'), ('text/latex', '_repr_latex_')]

# The private ends: commands in, events out. fd 0 becomes /dev/null, fds 1 and 2 pipes drained
# here, so that what C code and child processes write is captured in order too.
_commands = os.fdopen(os.dup(0), 'rb', buffering=0)
_events = os.dup(1)
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)
_event_lock = threading.Lock()
_MARK = b'\x00bubble-kernel-' + base64.b16encode(os.urandom(12)) + b'\x00'


def emit(event):
    line = (json.dumps(event, ensure_ascii=False, allow_nan=False, default=str) + '\n').encode('utf-8', 'replace')
    with _event_lock:
        view = memoryview(line)
        try:
            while view:
                view = view[os.write(_events, view):]
        except OSError:
            os._exit(0)  # the server is gone


class Drain(threading.Thread):
    """Reads one of fds 1 and 2 through a pipe and emits its text as stream events."""

    def __init__(self, fd, name):
        super().__init__(daemon=True, name='drain-' + name)
        self.stream = name
        read, write = os.pipe()
        os.dup2(write, fd)
        os.close(write)
        self.fd = fd
        self.read = read
        self.decoder = codecs.getincrementaldecoder('utf-8')('replace')
        self.marks = 0
        self.cond = threading.Condition()

    def run(self):
        pending = b''
        while True:
            try:
                data = os.read(self.read, 65536)
            except InterruptedError:
                continue
            if not data:
                return
            pending += data
            while True:
                at = pending.find(_MARK)
                if at < 0:
                    break
                self.send(pending[:at])
                pending = pending[at + len(_MARK):]
                with self.cond:
                    self.marks += 1
                    self.cond.notify_all()
            keep = 0
            for n in range(min(len(pending), len(_MARK) - 1), 0, -1):
                if pending.endswith(_MARK[:n]):
                    keep = n
                    break
            self.send(pending[:len(pending) - keep])
            pending = pending[len(pending) - keep:]

    def send(self, data):
        text = self.decoder.decode(data)
        for start in range(0, len(text), STREAM_CHUNK):
            emit({'type': 'stream', 'name': self.stream, 'text': text[start:start + STREAM_CHUNK]})

    def flush(self):
        """Waits until everything written to the fd before now has been emitted."""
        with self.cond:
            target = self.marks + 1
        try:
            os.write(self.fd, _MARK)
        except OSError:
            return  # the user closed the fd: nothing more comes through it
        with self.cond:
            self.cond.wait_for(lambda: self.marks >= target, timeout=5)


_drains = [Drain(1, 'stdout'), Drain(2, 'stderr')]
for _drain in _drains:
    _drain.start()


def _writer(fd):
    return io.TextIOWrapper(io.FileIO(fd, 'w', closefd=False), encoding='utf-8',
                            errors='backslashreplace', line_buffering=True, write_through=True)


def flush_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    for drain in _drains:
        drain.flush()


class State:
    """What the command reader and the main thread share, under _state_lock."""
    pending = 0           # executes queued or running
    executing = False     # the main thread runs the user's code (or formats its values)
    interrupted = False   # an interrupt came for this execute and has not been raised yet
    count = 0
    main = threading.main_thread().ident


_state_lock = threading.Lock()


def _on_sigint(signum, frame):
    # One KeyboardInterrupt per interrupt, only while an execution runs (between executions it has
    # nothing to stop) and never in the runner's own frames, whose bookkeeping must not be cut
    # short: a signal that lands there is sent again a moment later. No lock: the main thread may
    # hold it.
    if not (State.executing and State.interrupted):
        return
    if frame is None or frame.f_globals is not _RUNNER_GLOBALS:
        State.interrupted = False
        raise KeyboardInterrupt
    threading.Timer(0.02, _resignal).start()


def _resignal():
    with _state_lock:
        if State.executing and State.interrupted:
            signal.pthread_kill(State.main, signal.SIGINT)


signal.signal(signal.SIGINT, _on_sigint)

# matplotlib draws off-screen; figures are shown as PNG displays after each execution.
os.environ['MPLBACKEND'] = 'Agg'
if 'matplotlib' in sys.modules:
    try:
        sys.modules['matplotlib'].use('Agg')
    except Exception:
        pass


def _figure_bundle(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format='png', bbox_inches='tight')
    return {'text/plain': '<Figure size %dx%d>' % tuple(figure.get_size_inches() * figure.dpi),
            'image/png': base64.b64encode(buffer.getvalue()).decode('ascii')}


def show_figures(*args, **kwargs):
    pyplot = sys.modules.get('matplotlib.pyplot')
    if pyplot is None:
        return
    for number in pyplot.get_fignums():
        figure = pyplot.figure(number)
        display_bundle(_figure_bundle(figure))
    pyplot.close('all')


class _PyplotHook:
    """Replaces pyplot.show once pyplot is imported, so that plt.show() displays the figures."""

    def find_spec(self, name, path, target=None):
        if name != 'matplotlib.pyplot':
            return None
        import importlib.util
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            module.show = show_figures
        loader.exec_module = exec_module
        return spec


if 'matplotlib.pyplot' in sys.modules:
    sys.modules['matplotlib.pyplot'].show = show_figures
else:
    sys.meta_path.insert(0, _PyplotHook())


def _json_size(value):
    return len(json.dumps(value, ensure_ascii=False, default=str).encode('utf-8', 'replace'))


def _spill(mime, value, index):
    """Writes a large value to .results/ and returns what stands for it."""
    directory = os.path.join(WORK, '.results')
    os.makedirs(directory, exist_ok=True)
    name = '%d-%d.%s' % (State.count, index, EXTENSIONS.get(mime, 'bin'))
    if mime == 'image/png' and isinstance(value, str):
        data = base64.b64decode(value)
    elif isinstance(value, str):
        data = value.encode('utf-8', 'replace')
    else:
        data = json.dumps(value, ensure_ascii=False, default=str).encode('utf-8', 'replace')
    with open(os.path.join(directory, name), 'wb') as out:
        out.write(data)
    return {'file': '.results/' + name, 'mime': mime, 'bytes': len(data)}


_spilled = [0]


def bounded(bundle):
    """The bundle with every value too large to travel inline replaced by a file's reference."""
    out = {}
    total = 0
    for mime, value in bundle.items():
        size = _json_size(value)
        if size > MAX_INLINE or total + size > 2 * MAX_INLINE:
            _spilled[0] += 1
            out[mime] = _spill(mime, value, _spilled[0])
        else:
            out[mime] = value
            total += size
    return out


def format_bundle(obj):
    """The MIME bundle of obj: its text/plain repr and what its _repr_*_ methods give."""
    figure_type = getattr(sys.modules.get('matplotlib.figure'), 'Figure', None)
    if figure_type is not None and isinstance(obj, figure_type):
        bundle = _figure_bundle(obj)
        pyplot = sys.modules.get('matplotlib.pyplot')
        if pyplot is not None:
            pyplot.close(obj)
        return bundle
    bundle = {'text/plain': repr(obj)}
    for mime, method in REPR_METHODS:
        if isinstance(obj, type):
            break
        function = getattr(obj, method, None)
        if not callable(function):
            continue
        try:
            value = function()
        except Exception:
            continue
        if value is None:
            continue
        if isinstance(value, tuple):  # (data, metadata)
            value = value[0]
        if mime == 'image/png':
            if isinstance(value, (bytes, bytearray)):
                value = base64.b64encode(bytes(value)).decode('ascii')
            elif not isinstance(value, str):
                continue
        elif mime == 'application/json':
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    continue
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                continue
        elif not isinstance(value, str):
            continue
        bundle[mime] = value
    return bundle


def display_bundle(bundle):
    flush_streams()
    emit({'type': 'display', 'data': bounded(bundle)})


def display(*objs, **kwargs):
    """Shows each object as a display, as IPython's display() does."""
    raw = kwargs.get('raw', False)
    for obj in objs:
        if raw and isinstance(obj, dict):
            display_bundle(dict(obj))
        else:
            display_bundle(format_bundle(obj))


def _user_frames(tb):
    """The traceback from the first <cell> frame on, without the runner's own frames."""
    frames = []
    while tb is not None:
        if tb.tb_frame.f_globals is not _RUNNER_GLOBALS:
            frames.append(tb)
        tb = tb.tb_next
    while frames and frames[0].tb_frame.f_code.co_filename != CELL:
        frames.pop(0)
    rebuilt = None
    for frame in reversed(frames):
        rebuilt = types.TracebackType(rebuilt, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return rebuilt


_RUNNER_GLOBALS = globals()


def _error(exc):
    tb = _user_frames(exc.__traceback__)
    exc.__traceback__ = tb
    if isinstance(exc, SyntaxError):
        lines = traceback.format_exception_only(type(exc), exc)
    else:
        lines = traceback.format_exception(type(exc), exc, tb)
    text = ''.join(lines)
    if len(text) > ERROR_CHARS:
        text = text[:ERROR_CHARS // 2] + '\n...\n' + text[-ERROR_CHARS // 2:]
    value = str(exc)
    if len(value) > ERROR_CHARS:
        value = value[:ERROR_CHARS] + '...'
    return {'type': 'error', 'name': type(exc).__name__, 'value': value, 'traceback': text.splitlines()}


class Plain:
    """Runs code as a notebook cell: the body executed, a final expression's value the result."""
    ipython = False

    def __init__(self):
        module = types.ModuleType('__main__')
        module.__builtins__ = builtins
        sys.modules['__main__'] = module
        self.namespace = module.__dict__
        builtins.display = display

    def run(self, code):
        """Returns the error event, or None."""
        linecache.cache[CELL] = (len(code), None, code.splitlines(True), CELL)
        result = None
        try:
            tree = ast.parse(code, CELL, 'exec')
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, CELL, 'exec'), self.namespace)
            if last is not None:
                value = eval(compile(last, CELL, 'eval'), self.namespace)
                if value is not None:
                    self.namespace['_'] = value
                    result = format_bundle(value)
            show_figures()
        except BaseException as exc:  # KeyboardInterrupt and SystemExit are the cell's errors too
            return _error(exc)
        if result is not None:
            flush_streams()
            emit({'type': 'result', 'data': bounded(result)})
        return None


class WithIPython:
    """Runs code in IPython's InteractiveShell: its formatters, magics and execution count."""
    ipython = True

    def __init__(self):
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.core.displaypub import DisplayPublisher
        from IPython.core.displayhook import DisplayHook
        runner = self

        class Publisher(DisplayPublisher):
            def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
                display_bundle(runner.pick(data))

        class Hook(DisplayHook):
            def write_output_prompt(self):
                pass

            def write_format_data(self, format_dict, md_dict=None):
                runner.result = runner.pick(format_dict)

            def finish_displayhook(self):
                pass

        self.shell = InteractiveShell.instance(colors='NoColor')
        self.shell.display_pub = Publisher(parent=self.shell, shell=self.shell)
        self.shell.displayhook = Hook(shell=self.shell, cache_size=self.shell.cache_size)
        self.shell.display_trap.hook = self.shell.displayhook
        self.shell.showtraceback = self.showtraceback
        self.shell.showsyntaxerror = lambda *a, **k: self.showtraceback()
        self.shell.compile.cache = lambda *a, **k: CELL
        self.error = None
        self.result = None

    @staticmethod
    def pick(data):
        return {mime: value for mime, value in data.items() if mime in EXTENSIONS}

    def showtraceback(self, *args, **kwargs):
        exc = sys.exc_info()[1]
        if exc is not None:
            self.error = _error(exc)

    def run(self, code):
        self.error = None
        self.result = None
        linecache.cache[CELL] = (len(code), None, code.splitlines(True), CELL)
        self.shell.execution_count = State.count
        try:
            self.shell.run_cell(code, store_history=True)
            show_figures()
        except BaseException as exc:
            return _error(exc)
        if self.result is not None and self.error is None:
            flush_streams()
            emit({'type': 'result', 'data': bounded(self.result)})
        return self.error


def _kernel():
    try:
        import IPython  # noqa: F401
    except Exception:
        return Plain()
    try:
        return WithIPython()
    except Exception:
        return Plain()


_commands_queue = queue.Queue()


def _read_commands():
    """Takes commands as they come: an interrupt must reach the main thread while it runs code."""
    while True:
        line = _commands.readline()
        if not line:
            _commands_queue.put(None)
            return
        try:
            command = json.loads(line)
        except ValueError:
            continue
        kind = command.get('type') if isinstance(command, dict) else None
        if kind == 'interrupt':
            with _state_lock:
                if State.pending:
                    State.interrupted = True
                    # To the main thread itself: a signal to the process could land on another
                    # thread and leave a time.sleep() of the main thread running.
                    signal.pthread_kill(State.main, signal.SIGINT)
        elif kind == 'shutdown':
            _commands_queue.put(None)
            return
        elif kind == 'execute':
            with _state_lock:
                State.pending += 1
            _commands_queue.put(command)


def _idle():
    with _state_lock:
        State.interrupted = False
        State.executing = False
        State.pending -= 1


def main():
    sys.stdout = sys.__stdout__ = _writer(1)
    sys.stderr = sys.__stderr__ = _writer(2)
    kernel = _kernel()
    threading.Thread(target=_read_commands, daemon=True, name='commands').start()
    emit({'type': 'ready', 'ipython': kernel.ipython})
    while True:
        command = _commands_queue.get()
        if command is None:
            break
        State.count += 1
        stdin = command.get('stdin')
        sys.stdin = io.StringIO(stdin if isinstance(stdin, str) else '')
        sys.stdout, sys.stderr = _writer(1), _writer(2)
        error = None
        try:
            with _state_lock:
                State.executing = True
            if State.interrupted:  # it came before the code started
                State.interrupted = False
                raise KeyboardInterrupt
            error = kernel.run(str(command.get('code', '')))
        except BaseException as exc:
            error = _error(exc)
        _idle()
        flush_streams()
        if error is not None:
            emit(error)
        emit({'type': 'done', 'execution_count': State.count})
    flush_streams()
    os._exit(0)


main()
