"""Serve the vi-json wire protocol on 127.0.0.1 by translating each call into SOAP against a
vcsim (govmomi's vCenter simulator), with pyVmomi's type tables for both directions.

  POST /sdk/vim25/{release}/{MoType}/{moId}/{Method}   body: the method's parameters as JSON
  GET  /sdk/vim25/{release}/{MoType}/{moId}/{property}
  POST /api/vcenter/system?action=hello                 release negotiation (vCenter 8.0.2+)

Session: `Login` (and the other login methods) answer with the header vmware-api-session-id;
send it back on every later request. Results and faults carry `_typeName`; a fault is HTTP 500
with the fault object as the body and its message in `faultstring`; a method without a result
is HTTP 204. The wire details are this tool's reading of vi-json, not VMware's server: use it
for behaviour (sessions, tasks, inventory, faults), and a validator of the document for the
exact wire format.

usage: python3 bridge.py SOAP_PORT LISTEN_PORT [--releases 8.0.1.0,8.0.2.0,...] [--trace]
"""
import argparse, base64, datetime, json, re, sys, threading, traceback, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pyVmomi import SoapStubAdapter, VmomiSupport as V, vmodl

NS = 'urn:vim25'
LOGIN_METHODS = {'Login', 'LoginByToken', 'LoginExtensionByCertificate', 'LoginExtensionBySubjectName',
                 'LoginBySSPI', 'CloneSession', 'ImpersonateUser'}

ap = argparse.ArgumentParser()
ap.add_argument('soap_port', type=int)
ap.add_argument('listen_port', type=int)
ap.add_argument('--releases', default='8.0.1.0,8.0.2.0,8.0.3.0,9.0.0.0,9.1.0.0,9.1.1.0')
ap.add_argument('--trace', action='store_true')
args = ap.parse_args()
RELEASES = args.releases.split(',')

sessions = {}                                   # session id -> SoapStubAdapter
sessions_lock = threading.Lock()


def new_stub():
    # a negative port makes pyVmomi speak plain HTTP (vcsim runs without TLS here)
    return SoapStubAdapter(host='127.0.0.1', port=-args.soap_port, path='/sdk',
                           version='vim.version.version11', poolSize=0)


def wsdl_type(name):
    try:
        return V.GetWsdlType(NS, name)
    except KeyError:
        return V.GuessWsdlType(name)


def from_json(v, T, stub):
    """A JSON value of declared type T as a pyVmomi value."""
    if v is None:
        return None
    if isinstance(T, type) and issubclass(T, list):
        return T([from_json(x, T.Item, stub) for x in v])
    if T is object:                             # an xsd:anyType position
        if isinstance(v, dict) and '_typeName' in v:
            name = v['_typeName']
            if name == 'ManagedObjectReference':
                return wsdl_type(v['type'])(v['value'], stub)
            if '_value' in v:
                return from_json(v['_value'], wsdl_type(name), stub)
            return from_json(v, wsdl_type(name), stub)
        return v
    if T is type:                               # vmodl.TypeName
        return wsdl_type(v)
    if issubclass(T, V.ManagedObject):
        return wsdl_type(v['type'])(v['value'], stub)
    if issubclass(T, V.DataObject):
        actual = wsdl_type(v['_typeName']) if '_typeName' in v else T
        o = actual()
        for p in actual._GetPropertyList():
            if p.name in v:
                setattr(o, p.name, from_json(v[p.name], p.type, stub))
        return o
    if T is datetime.datetime:
        return datetime.datetime.fromisoformat(v.replace('Z', '+00:00'))
    if T is V.binary:
        return V.binary(base64.b64decode(v))
    return T(v)


def boxed(x):
    """A value in an xsd:anyType position: {_typeName, _value} unless it carries its own type."""
    if isinstance(x, (V.DataObject, V.ManagedObject)):
        return to_json(x)
    return {'_typeName': V.GetWsdlName(type(x)), '_value': to_json(x)}


def to_json(x):
    if x is None:
        return None
    if isinstance(x, V.ManagedObject):
        return {'_typeName': 'ManagedObjectReference', 'type': V.GetWsdlName(type(x)), 'value': x._moId}
    if isinstance(x, vmodl.MethodFault):
        out = data_object(x)
        msg = out.pop('msg', None)
        out['faultstring'] = msg or x._wsdlName
        return out
    if isinstance(x, V.DataObject):
        return data_object(x)
    if isinstance(x, list):
        return [to_json(i) for i in x]
    if isinstance(x, datetime.datetime):
        if x.tzinfo is None:
            x = x.replace(tzinfo=datetime.timezone.utc)
        return x.astimezone(datetime.timezone.utc).isoformat(timespec='microseconds').replace('+00:00', 'Z')
    if isinstance(x, V.binary):
        return base64.b64encode(x).decode()
    if isinstance(x, type):
        return V.GetWsdlName(x)
    if isinstance(x, V.UnknownManagedMethod):
        return x.name
    if isinstance(x, V.ManagedMethod):
        return x.info.wsdlName
    return x


def data_object(x):
    out = {'_typeName': V.GetWsdlName(type(x))}
    for p in type(x)._GetPropertyList():
        val = getattr(x, p.name)
        if val is None:
            continue
        if p.type is object:                    # anyType: an empty typed array stays, boxed
            out[p.name] = boxed(val)
        elif not (isinstance(val, list) and not val):
            out[p.name] = to_json(val)
    return out


def fault(type_name, message, **members):
    return dict({'_typeName': type_name, 'faultstring': message}, **members)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *a):
        if args.trace:
            sys.stderr.write('bridge: ' + (fmt % a) + '\n')

    def reply(self, code, obj=None, headers=None):
        body = b'' if obj is None else json.dumps(obj).encode()
        self.send_response(code)
        if obj is not None:
            self.send_header('Content-Type', 'application/json')
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def target(self):
        m = re.fullmatch(r'/sdk/vim25/([^/]+)/([^/]+)/([^/]+)/([^/?]+)', self.path.split('?')[0])
        if not m:
            return None
        release, mo_type, mo_id, member = m.groups()
        # a moId is one percent-encoded path segment (vcsim's datastore ids hold slashes)
        mo_id = urllib.parse.unquote(mo_id)
        sid = self.headers.get('vmware-api-session-id')
        with sessions_lock:
            stub = sessions.get(sid) if sid else None
        return mo_type, mo_id, member, stub or new_stub()

    def guarded(self, work):
        try:
            work()
        except vmodl.MethodFault as f:
            self.reply(500, to_json(f))
        except Exception as e:                  # a bridge or simulator failure, reported as a fault
            if args.trace:
                traceback.print_exc()
            self.reply(500, fault('SystemError', f'{type(e).__name__}: {e}', reason='vcsim-vijson bridge'))

    def do_GET(self):
        t = self.target()
        if not t:
            return self.reply(404)
        mo_type, mo_id, prop, stub = t

        def work():
            obj = wsdl_type(mo_type)(mo_id, stub)
            try:
                info = obj._GetPropertyInfo(prop)
            except (AttributeError, KeyError):
                return self.reply(500, fault('InvalidProperty', f'no property {prop} on {mo_type}', name=prop))
            val = getattr(obj, info.name)
            if val is None:
                return self.reply(204)
            self.reply(200, boxed(val) if info.type is object else to_json(val))
        self.guarded(work)

    def do_POST(self):
        if self.path.split('?')[0] == '/api/vcenter/system' and 'action=hello' in self.path:
            return self.hello()
        t = self.target()
        if not t:
            return self.reply(404)
        mo_type, mo_id, method, stub = t
        raw = self.body()

        def work():
            try:
                info = V.GetWsdlMethod(NS, method).info
            except KeyError:
                return self.reply(500, fault('MethodNotFound', f'unknown method {method}', method=method))
            try:
                params = json.loads(raw) if raw.strip() else {}
            except ValueError as e:
                return self.reply(500, fault('InvalidRequest', f'Invalid JSON syntax: {e}'))
            kw = {p.name: from_json(params[p.name], p.type, stub) for p in info.params if p.name in params}
            result = getattr(wsdl_type(mo_type)(mo_id, stub), info.name)(**kw)
            headers = {}
            if method in LOGIN_METHODS:
                sid = re.search(r'vmware_soap_session="?([^";]+)', stub.cookie).group(1)
                with sessions_lock:
                    sessions[sid] = stub
                headers['vmware-api-session-id'] = sid
            if result is None:
                return self.reply(204, None, headers)
            self.reply(200, boxed(result) if info.result is object else to_json(result), headers)
        self.guarded(work)

    def hello(self):
        try:
            wanted = json.loads(self.body() or b'{}').get('api_releases') or []
        except ValueError:
            return self.reply(400, {'error_type': 'INVALID_ARGUMENT'})
        if not wanted or len(wanted) > 128:
            return self.reply(400, {'error_type': 'INVALID_ARGUMENT'})
        chosen = next((r for r in wanted if r in RELEASES), '')
        self.reply(200, {'api_release': chosen})


server = ThreadingHTTPServer(('127.0.0.1', args.listen_port), Handler)
server.daemon_threads = True
print(f'bridge ready on http://127.0.0.1:{args.listen_port}/sdk/vim25/{RELEASES[0]}', flush=True)
server.serve_forever()
