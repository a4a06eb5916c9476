/** `GET /v2/topology`: one broker, one partition, always the leader. */
import type { FastifyInstance } from 'fastify'
import type { TopologyResponse } from '../../client/wire-types.ts'
import { BATON_VERSION, CAMUNDA_API_VERSION } from '../version.ts'

const topologySchema = {
  type: 'object',
  properties: {
    brokers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          nodeId: { type: 'integer' },
          host: { type: 'string' },
          port: { type: 'integer' },
          partitions: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                partitionId: { type: 'integer' },
                role: { type: 'string', enum: ['leader', 'follower', 'inactive'] },
                health: { type: 'string', enum: ['healthy', 'unhealthy', 'dead'] },
              },
            },
          },
          version: { type: 'string' },
        },
      },
    },
    clusterSize: { type: 'integer' },
    partitionsCount: { type: 'integer' },
    replicationFactor: { type: 'integer' },
    gatewayVersion: { type: 'string' },
    lastCompletedChangeId: {
      type: 'string',
      description: 'The last completed cluster change; Baton never changes its topology.',
    },
  },
} as const

export function registerTopologyRoutes(app: FastifyInstance): void {
  app.get(
    '/v2/topology',
    {
      config: {
        access: 'authenticated',
        doc: {
          summary: 'The cluster topology (Baton is one node with one partition)',
          tags: ['Cluster'],
          responses: { 200: { description: 'The topology', schema: topologySchema } },
        },
      },
    },
    async (request): Promise<TopologyResponse> => ({
      brokers: [
        {
          nodeId: 0,
          host: request.hostname,
          port: request.port ?? 0,
          partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }],
          version: `${CAMUNDA_API_VERSION} (baton ${BATON_VERSION})`,
        },
      ],
      clusterSize: 1,
      partitionsCount: 1,
      replicationFactor: 1,
      gatewayVersion: CAMUNDA_API_VERSION,
      lastCompletedChangeId: '-1',
    }),
  )
}
