import type { Model, ModelAttributes, ModelStatic, Optional, Sequelize } from "sequelize";

/** A model instance whose attributes are A, creatable with the keys in C left out. */
export type Row<A extends object, C extends keyof A = never> = Model<A, Optional<A, C>> & A;
export type Table<A extends object, C extends keyof A = never> = ModelStatic<Row<A, C>>;

/** Defines a model over a table created by a migration (snake_case columns, camelCase attributes). */
export function defineTable<A extends object, C extends keyof A = never>(
  sequelize: Sequelize,
  modelName: string,
  tableName: string,
  attributes: ModelAttributes<Row<A, C>>,
  opts: { updatedAt?: boolean; createdAt?: boolean; timestamps?: boolean } = {},
): Table<A, C> {
  return sequelize.define<Row<A, C>>(modelName, attributes, {
    tableName,
    underscored: true,
    timestamps: opts.timestamps ?? true,
    createdAt: opts.createdAt ?? true,
    updatedAt: opts.updatedAt ?? true,
  });
}
