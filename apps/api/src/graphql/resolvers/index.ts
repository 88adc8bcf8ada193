import { scalarResolvers } from '../scalars';
import { enumResolvers } from './enums';
import { Mutation } from './mutation';
import { Query } from './query';
import { Subscription } from './subscription';
import { typeResolvers } from './types';

export const resolvers = {
  ...scalarResolvers,
  ...enumResolvers,
  ...typeResolvers,
  Query,
  Mutation,
  Subscription,
};
