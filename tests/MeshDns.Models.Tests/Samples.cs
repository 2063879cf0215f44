namespace MeshDns.Models.Tests;

/// <summary>
/// ServiceEntries as the Kubernetes API serves them (<c>kubectl get -o json</c>), written by hand: managedFields,
/// the last-applied annotation, istiod's status (observedGeneration as a string, nanosecond times, analyzer
/// messages), and fields these models do not know.
/// </summary>
internal static class Samples
{
    /// <summary>A v1 MESH_EXTERNAL entry with DNS resolution, applied with kubectl, with status written by istiod.</summary>
    public const string ExternalV1 = """
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "ServiceEntry",
            "metadata": {
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"ServiceEntry\",\"metadata\":{\"annotations\":{},\"name\":\"external-apis\",\"namespace\":\"payments\"},\"spec\":{\"hosts\":[\"api.stripe.example\",\"*.googleapis.example\"],\"location\":\"MESH_EXTERNAL\",\"ports\":[{\"name\":\"https\",\"number\":443,\"protocol\":\"TLS\"}],\"resolution\":\"DNS\"}}\n"
                },
                "creationTimestamp": "2024-05-14T09:21:07Z",
                "generation": 3,
                "labels": {
                    "app.kubernetes.io/managed-by": "argocd",
                    "team": "payments"
                },
                "managedFields": [
                    {
                        "apiVersion": "networking.istio.io/v1",
                        "fieldsType": "FieldsV1",
                        "fieldsV1": {
                            "f:metadata": {
                                "f:annotations": {
                                    ".": {},
                                    "f:kubectl.kubernetes.io/last-applied-configuration": {}
                                }
                            },
                            "f:spec": {
                                ".": {},
                                "f:hosts": {},
                                "f:location": {},
                                "f:ports": {},
                                "f:resolution": {}
                            }
                        },
                        "manager": "kubectl-client-side-apply",
                        "operation": "Update",
                        "time": "2024-05-14T09:21:07Z"
                    },
                    {
                        "apiVersion": "networking.istio.io/v1",
                        "fieldsType": "FieldsV1",
                        "fieldsV1": {
                            "f:status": {
                                ".": {},
                                "f:addresses": {},
                                "f:conditions": {},
                                "f:observedGeneration": {}
                            }
                        },
                        "manager": "pilot-discovery",
                        "operation": "Update",
                        "subresource": "status",
                        "time": "2024-05-14T09:21:08Z"
                    }
                ],
                "name": "external-apis",
                "namespace": "payments",
                "resourceVersion": "48213377",
                "uid": "0c4b6f3e-8c9d-4e4f-9a55-2f0d6d7c1b21"
            },
            "spec": {
                "exportTo": [
                    "."
                ],
                "hosts": [
                    "api.stripe.example",
                    "*.googleapis.example"
                ],
                "location": "MESH_EXTERNAL",
                "ports": [
                    {
                        "name": "https",
                        "number": 443,
                        "protocol": "TLS",
                        "targetPort": 8443
                    }
                ],
                "resolution": "DNS",
                "subjectAltNames": [
                    "spiffe://cluster.local/ns/payments/sa/gateway"
                ],
                "trafficPolicy": {
                    "tls": {
                        "mode": "SIMPLE"
                    }
                }
            },
            "status": {
                "addresses": [
                    {
                        "host": "api.stripe.example",
                        "value": "240.240.0.1"
                    },
                    {
                        "host": "api.stripe.example",
                        "value": "2001:2::f0f0:1"
                    }
                ],
                "conditions": [
                    {
                        "lastTransitionTime": "2024-05-14T09:21:08.104112873Z",
                        "message": "addresses allocated",
                        "observedGeneration": "3",
                        "reason": "Allocated",
                        "status": "True",
                        "type": "AddressesAllocated"
                    }
                ],
                "observedGeneration": "3",
                "validationMessages": [
                    {
                        "documentationUrl": "https://istio.io/latest/docs/reference/config/analysis/ist0134/",
                        "level": "WARNING",
                        "type": {
                            "code": "IST0134",
                            "name": "ServiceEntryAddressesRequired"
                        }
                    }
                ]
            }
        }
        """;

    /// <summary>A v1alpha3 STATIC entry with endpoints (ports map, labels, weight), without status.</summary>
    public const string StaticV1Alpha3 = """
        {
            "apiVersion": "networking.istio.io/v1alpha3",
            "kind": "ServiceEntry",
            "metadata": {
                "creationTimestamp": "2023-11-02T17:45:31Z",
                "generation": 1,
                "name": "legacy-db",
                "namespace": "data",
                "resourceVersion": "912",
                "uid": "5d8a9a62-77b2-4a5e-8b8e-52d2f0e0c1aa"
            },
            "spec": {
                "addresses": [
                    "10.20.0.0/16",
                    "192.168.7.12"
                ],
                "endpoints": [
                    {
                        "address": "192.168.7.12",
                        "labels": {
                            "version": "v1"
                        },
                        "locality": "eu-west/zone-a",
                        "network": "vm-net",
                        "ports": {
                            "postgres": 15432
                        },
                        "serviceAccount": "db",
                        "weight": 80
                    },
                    {
                        "address": "192.168.7.13",
                        "weight": 20
                    }
                ],
                "hosts": [
                    "db.legacy.internal"
                ],
                "location": "MESH_INTERNAL",
                "ports": [
                    {
                        "name": "postgres",
                        "number": 5432,
                        "protocol": "TCP"
                    }
                ],
                "resolution": "STATIC"
            }
        }
        """;

    /// <summary>A page of a list from the API server (not kubectl's kind: List): continue token, remaining count.</summary>
    public const string ListPage = """
        {
            "apiVersion": "networking.istio.io/v1",
            "items": [
                {
                    "apiVersion": "networking.istio.io/v1",
                    "kind": "ServiceEntry",
                    "metadata": {
                        "creationTimestamp": "2024-01-01T00:00:00Z",
                        "generation": 1,
                        "name": "a",
                        "namespace": "one",
                        "resourceVersion": "100",
                        "uid": "11111111-1111-1111-1111-111111111111"
                    },
                    "spec": {
                        "hosts": ["a.one.example"],
                        "addresses": ["10.0.0.1"],
                        "resolution": "STATIC"
                    }
                },
                {
                    "apiVersion": "networking.istio.io/v1",
                    "kind": "ServiceEntry",
                    "metadata": {
                        "creationTimestamp": "2024-01-02T00:00:00Z",
                        "deletionTimestamp": "2024-01-03T00:00:00Z",
                        "finalizers": ["example.com/keep"],
                        "generation": 2,
                        "name": "b",
                        "namespace": "two",
                        "resourceVersion": "101",
                        "uid": "22222222-2222-2222-2222-222222222222"
                    },
                    "spec": {
                        "hosts": ["b.two.example"],
                        "workloadSelector": {
                            "labels": {
                                "app": "b"
                            }
                        },
                        "resolution": "DYNAMIC_DNS"
                    }
                }
            ],
            "kind": "ServiceEntryList",
            "metadata": {
                "continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDgyMTM0MDB9",
                "remainingItemCount": 12,
                "resourceVersion": "48213400"
            }
        }
        """;
}
