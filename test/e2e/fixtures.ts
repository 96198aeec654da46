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
