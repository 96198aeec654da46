// Objects the e2e tests apply, shared by the tests through kubectl and the in-process ones
// (the README's live examples run on them).

export const MUTATE_OBJECTS = `
apiVersion: v1
kind: Namespace
metadata: {name: e2e-mutate-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: e2e-mutate-b}
---
apiVersion: v1
kind: Service
metadata:
  name: s1
  namespace: e2e-mutate-a
  labels: {team: shop}
  annotations: {owner: team-shop}
spec: {ports: [{port: 80}]}
---
# No endpoints controller runs on the test plane: without this object (no pod ready) the Endpoints
# of s1 are absent, and the operator leaves its backend out.
apiVersion: v1
kind: Endpoints
metadata: {name: s1, namespace: e2e-mutate-a}
subsets: []
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: web, namespace: e2e-mutate-a}
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - backend: {serviceName: s1, servicePort: '80'}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: other-team, namespace: e2e-mutate-b}
spec:
  rules:
  - host: b.example.com
    http:
      paths:
      - backend: {serviceName: s1.e2e-mutate-a, servicePort: '80'}
`;

export const RENDER_OBJECTS = `
apiVersion: v1
kind: Namespace
metadata: {name: e2e-render}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata:
  name: web
  namespace: e2e-render
  annotations: {ingress.appscode.com/affinity: cookie, ingress.appscode.com/session-cookie-hash: md5}
spec:
  rules:
  - host: foo.bar.com
    http:
      paths:
      - backend: {serviceName: web, servicePort: '80'}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: e2e-render}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: e2e-render}
subsets:
- addresses:
  - {ip: 10.0.0.12, targetRef: {kind: Pod, name: web-1, namespace: e2e-render}}
  - {ip: 10.0.0.11, targetRef: {kind: Pod, name: web-0, namespace: e2e-render}}
  ports: [{port: 8080}]
`;

// An Ingress with more backends in one namespace (e2e-effect-c) than enable/disable GETs one by
// one (gather.ts GETS_PER_NAMESPACE): their Services and Endpoints are read with a namespace list.
const WIDE = 20;
const wideName = (i: number) => `wide-${String(i).padStart(2, '0')}`;
const WIDE_OBJECTS = [
  ...Array.from({ length: WIDE - 2 }, (_, i) =>
    [
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${wideName(i)}, namespace: e2e-effect-c}\nspec: {ports: [{port: 80}]}`,
      `apiVersion: v1\nkind: Endpoints\nmetadata: {name: ${wideName(i)}, namespace: e2e-effect-c}\nsubsets: [{addresses: [{ip: 10.3.0.${i + 1}}], ports: [{port: 80}]}]`,
    ].join('\n---\n'),
  ),
  `apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: wide, namespace: e2e-effect-c}
spec:
  rules:
  - host: wide.example.com
    http:
      paths:
${Array.from({ length: WIDE }, (_, i) => `      - {path: /${i}, backend: {serviceName: ${wideName(i)}, servicePort: '80'}}`).join('\n')}
      - {path: /shop, backend: {serviceName: app.e2e-effect-a, servicePort: '80'}}`,
].join('\n---\n');

// The enable/disable effect oracle (mutate-effect.test.ts): Ingresses in three namespaces that
// share Services across them (`name.namespace`), a Service no Ingress uses, a missing Service, a
// standard Ingress, a sticky Ingress, Endpoints for the diffs' server lines, and an Ingress wider
// than the GETs one by one.
export const EFFECT_OBJECTS = `
apiVersion: v1
kind: Namespace
metadata: {name: e2e-effect-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: e2e-effect-b}
---
apiVersion: v1
kind: Namespace
metadata: {name: e2e-effect-c}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: e2e-effect-a}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: app, namespace: e2e-effect-a}
subsets:
- addresses:
  - {ip: 10.1.0.11, targetRef: {kind: Pod, name: app-0, namespace: e2e-effect-a}}
  - {ip: 10.1.0.12, targetRef: {kind: Pod, name: app-1, namespace: e2e-effect-a}}
  ports: [{port: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: e2e-effect-a
  annotations: {ingress.appscode.com/affinity: cookie, ingress.appscode.com/session-cookie-name: APIID}
spec: {ports: [{name: http, port: 80}, {name: tcp, port: 9000}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: api, namespace: e2e-effect-a}
subsets:
- addresses:
  - {ip: 10.1.0.21}
  ports: [{name: http, port: 80}, {name: tcp, port: 9000}]
---
apiVersion: v1
kind: Service
metadata: {name: lonely, namespace: e2e-effect-a}
spec: {ports: [{port: 80}]}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: shop, namespace: e2e-effect-a}
spec:
  backend: {serviceName: app, servicePort: '80'}
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        backend: {serviceName: app, servicePort: '80'}
      - path: /api
        backend: {serviceName: api, servicePort: '80'}
  - host: shop.example.com
    tcp:
      port: '9000'
      backend: {serviceName: api, servicePort: '9000'}
---
apiVersion: v1
kind: Service
metadata: {name: local, namespace: e2e-effect-b}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: local, namespace: e2e-effect-b}
subsets:
- addresses:
  - {ip: 10.2.0.31}
  ports: [{port: 80}]
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: partner, namespace: e2e-effect-b}
spec:
  rules:
  - host: partner.example.com
    http:
      paths:
      - path: /shop
        backend: {serviceName: app.e2e-effect-a, servicePort: '80'}
      - path: /local
        backend: {serviceName: local, servicePort: '80'}
      - path: /gone
        backend: {serviceName: missing, servicePort: '80'}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: std, namespace: e2e-effect-b, annotations: {kubernetes.io/ingress.class: voyager}}
spec:
  rules:
  - host: std.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: local, port: {number: 80}}}}
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: sticky-ing, namespace: e2e-effect-c, annotations: {ingress.appscode.com/affinity: cookie}}
spec:
  rules:
  - host: sticky.example.com
    http:
      paths:
      - backend: {serviceName: api.e2e-effect-a, servicePort: '80'}
---
${WIDE_OBJECTS}
`;

// The team-a corner of the effect fixtures, for the namespace-limited user. Other tests assert
// what team-a holds: the tests that apply it delete it when done (EFFECT_TEAM_A_NAMES).
export const EFFECT_TEAM_A = `
apiVersion: v1
kind: Service
metadata: {name: effect-web, namespace: team-a}
spec: {ports: [{port: 80}]}
---
# No endpoints controller runs on the test plane: without this object (none ready) the Endpoints
# of effect-web are absent and the operator leaves its backend out.
apiVersion: v1
kind: Endpoints
metadata: {name: effect-web, namespace: team-a}
subsets: []
---
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: effect-shop, namespace: team-a}
spec:
  rules:
  - host: effect.example.com
    http:
      paths:
      - path: /web
        backend: {serviceName: effect-web, servicePort: '80'}
      - path: /partner
        backend: {serviceName: local.e2e-effect-b, servicePort: '80'}
`;

/** `kubectl delete` arguments for EFFECT_TEAM_A. */
export const EFFECT_TEAM_A_NAMES = [
  '-n',
  'team-a',
  'service/effect-web',
  'endpoints/effect-web',
  'ingresses.voyager.appscode.com/effect-shop',
  '--ignore-not-found',
];

/** What namespace team-a holds for status.test.ts (whose table asserts exactly this) and connection.test.ts. */
export const TEAM_A = `
apiVersion: voyager.appscode.com/v1beta1
kind: Ingress
metadata: {name: team-web, namespace: team-a, annotations: {ingress.appscode.com/sticky-session: 'true'}}
spec:
  rules:
  - host: team.example.com
    http:
      paths:
      - backend: {serviceName: team-svc, servicePort: '80'}
---
apiVersion: v1
kind: Service
metadata: {name: team-svc, namespace: team-a}
spec: {ports: [{port: 80}]}
---
# Endpoints listed whole are taken as the truth: without this object Voyager 3.2 writes no config.
apiVersion: v1
kind: Endpoints
metadata: {name: team-svc, namespace: team-a}
subsets: [{addresses: [{ip: 10.9.0.11}], ports: [{port: 80}]}]
`;
